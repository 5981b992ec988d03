"""The plugin manager: built-in and installed plugins, and what they register.

Each hook of :mod:`govdata.hookspecs` has one built-in plugin, the module that registers the
platform's own checks, directory formats or pages through that hook, exactly as a plugin would
(as Datasette registers its default plugins). A built-in module is imported and registered when
its hook is first asked, so a gate run never imports the server's pages. Installed plugins (entry
points in the ``govdata`` group) and plugins given to :func:`register` add to what the built-ins
register; the built-in ones come first, then the others in the order they were registered.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

from govdata import hookspecs

if TYPE_CHECKING:
    from govdata.checks.rules.base import Check
    from govdata.directory.formats import DirectoryFormat
    from govdata.serve.pages import Page

# hook → the modules registering the built-ins through it (imported on the hook's first use)
BUILT_IN: dict[str, tuple[str, ...]] = {
    "register_checks": ("govdata.checks.rules",),
    "register_directory_formats": ("govdata.directory.formats",),
    "register_pages": ("govdata.serve.routes",),
    # the oversight source lives with the derived datasets it makes (the build's last step)
    "register_pipeline_sources": ("govdata.pipelines.steps", "govdata.oversight.derived"),
}

_manager: pluggy.PluginManager | None = None
_installed: bool | None = None  # whether an installed distribution may declare a plugin (scanned once)
_lock = threading.RLock()
_cache: dict[str, tuple[frozenset[int], list[Any]]] = {}
generation = 0  # bumped whenever the registered checks change (codes.CODES caches on it)


def manager() -> pluggy.PluginManager:
    global _manager
    if _manager is None:
        with _lock:
            if _manager is None:
                pm = pluggy.PluginManager("govdata")
                pm.add_hookspecs(hookspecs)
                # the standard library's entry-point scan (pluggy's load_setuptools_entrypoints reads
                # every installed distribution's metadata: ten times slower, on every run)
                if _may_have_installed():
                    import importlib.metadata  # ~9 ms of a cold gate (email, socket): only when it can find one

                    for ep in importlib.metadata.entry_points(group="govdata"):
                        if pm.get_plugin(ep.name) is None:
                            pm.register(ep.load(), name=ep.name)
                _manager = pm
    return _manager


def _may_have_installed() -> bool:
    """:func:`_may_have_entry_points`, scanned once per process."""
    global _installed
    if _installed is None:
        _installed = _may_have_entry_points()
    return _installed


def _may_have_entry_points() -> bool:
    """False when no installed distribution can declare an entry point of the ``govdata`` group:
    no ``entry_points.txt`` of a ``*.dist-info`` or ``*.egg-info`` folder on ``sys.path`` names
    it, and ``sys.path`` holds only folders (a zip could hold distributions). A few reads where
    ``entry_points`` builds every distribution's metadata (5 ms of a cold gate)."""
    import os
    import sys

    for folder in sys.path:
        try:
            entries = os.scandir(folder or ".")
        except NotADirectoryError:
            return True  # a zip file on the path: let importlib.metadata look inside
        except OSError:
            continue
        with entries:
            for entry in entries:
                if entry.name.endswith((".dist-info", ".egg-info")):
                    try:
                        with open(
                            os.path.join(entry.path, "entry_points.txt"), encoding="utf-8", errors="replace"
                        ) as fh:
                            text = fh.read()
                    except OSError:
                        continue
                    if "govdata" in text and any(_group(line) == "govdata" for line in text.splitlines()):
                        return True
    return False


def _group(line: str) -> str | None:
    """The section a line of ``entry_points.txt`` opens, read as importlib.metadata reads it."""
    value = line.strip()
    return value.strip("[]") if value.startswith("[") and value.endswith("]") else None


def register(plugin: object, name: str | None = None) -> None:
    """Register a plugin (an object or module with ``@hookimpl`` functions)."""
    manager().register(plugin, name=name)


def unregister(plugin: object) -> None:
    manager().unregister(plugin)


def _collect(hook: str, keys: Callable[[Any], dict[str, str]]) -> list[Any]:
    """What every plugin returns from ``hook`` (no arguments), the built-in module's first; a value
    of ``keys`` (e.g. a check's code) given twice is refused."""
    builtin = BUILT_IN[hook]
    if _manager is None and not _may_have_installed():
        return _collect_built_in(hook, keys)
    pm = manager()
    for name in builtin:
        if pm.get_plugin(name) is None:
            with _lock:
                if pm.get_plugin(name) is None:
                    pm.register(importlib.import_module(name), name=name)
    plugins = frozenset(id(p) for p in pm.get_plugins())
    cached = _cache.get(hook)
    if cached is not None and cached[0] == plugins:
        return cached[1]
    impls = getattr(pm.hook, hook).get_hookimpls()  # in registration order
    found: list[Any] = []
    for impl in sorted(impls, key=lambda impl: impl.plugin_name not in builtin):
        batch = impl.function() or []
        found.extend(batch.items() if isinstance(batch, dict) else batch)
    _refuse_twice(hook, found, keys)
    _cache[hook] = (plugins, found)
    return found


def _collect_built_in(hook: str, keys: Callable[[Any], dict[str, str]]) -> list[Any]:
    """:func:`_collect` when no plugin is registered nor installed: the built-in modules' own hook
    functions, called in order, without pluggy's plugin manager (it reads every hook's signature
    with ``inspect``: ~5-6 ms of a cold ``govdata check`` that has no plugin, issue 14). The first
    :func:`register` makes the manager, and the hooks are then collected through it."""
    cached = _cache.get(hook)
    if cached is not None and not cached[0]:  # collected here before (an empty set of plugin ids)
        return cached[1]
    found: list[Any] = []
    for name in BUILT_IN[hook]:
        function = getattr(importlib.import_module(name), hook)
        batch = function() or []
        found.extend(batch.items() if isinstance(batch, dict) else batch)
    _refuse_twice(hook, found, keys)
    _cache[hook] = (frozenset(), found)
    return found


def _refuse_twice(hook: str, found: list[Any], keys: Callable[[Any], dict[str, str]]) -> None:
    seen: dict[tuple[str, str], Any] = {}
    for item in found:
        for kind, value in keys(item).items():
            if (kind, value) in seen:
                raise ValueError(f"{hook}: {kind} {value!r} is registered twice")
            seen[kind, value] = item


def checks() -> list["Check"]:
    """Every registered check, the built-in ones first; a code registered twice is refused."""
    global generation
    before = _cache.get("register_checks")
    found = _collect("register_checks", lambda c: {"code": c.code})
    if before is None or before[1] is not found:
        generation += 1
    return found


def check(code: str) -> "Check | None":
    """The registered check of ``code``, if a check declares it."""
    return next((c for c in checks() if c.code == code), None)


def directory_formats() -> list["DirectoryFormat"]:
    """Every registered directory format; a name, file or route registered twice is refused."""
    return _collect("register_directory_formats", lambda f: {"name": f.name, "file": f.file, "route": f.route})


def pages() -> list["Page"]:
    """Every registered page, the built-in ones first (Datasette tries routes in this order)."""
    return _collect("register_pages", lambda p: {"name": p.name, "route": str(p.route)})


def pipeline_sources() -> dict[str, Callable[..., Any]]:
    """Every registered pipeline source step, by name; a name registered twice is refused."""
    return dict(_collect("register_pipeline_sources", lambda item: {"source": item[0]}))
