"""The plugin manager: built-in and installed plugins, and what they register.

Loaded on first use (a run that never asks for checks or codes imports no plugin)."""

from __future__ import annotations

import importlib.metadata
import threading
from typing import TYPE_CHECKING

import pluggy

from govdata import hookspecs

if TYPE_CHECKING:
    from govdata.checks.rules.base import Check

_manager: pluggy.PluginManager | None = None
_lock = threading.Lock()
_checks: tuple[frozenset, list["Check"]] | None = None
generation = 0  # bumped whenever the registered checks change (codes.CODES caches on it)


def manager() -> pluggy.PluginManager:
    global _manager
    if _manager is None:
        with _lock:
            if _manager is None:
                pm = pluggy.PluginManager("govdata")
                pm.add_hookspecs(hookspecs)
                from govdata.checks import rules

                pm.register(rules, name="govdata.checks.rules")
                # the standard library's entry-point scan (pluggy's load_setuptools_entrypoints reads
                # every installed distribution's metadata: ten times slower, on every run)
                for ep in importlib.metadata.entry_points(group="govdata"):
                    if pm.get_plugin(ep.name) is None:
                        pm.register(ep.load(), name=ep.name)
                _manager = pm
    return _manager


def register(plugin: object, name: str | None = None) -> None:
    """Register a plugin (an object or module with ``@hookimpl`` functions)."""
    manager().register(plugin, name=name)


def unregister(plugin: object) -> None:
    manager().unregister(plugin)


def checks() -> list["Check"]:
    """Every registered check, the built-in ones first; a code registered twice is refused."""
    global _checks, generation
    pm = manager()
    plugins = frozenset(id(p) for p in pm.get_plugins())
    cached = _checks
    if cached is not None and cached[0] == plugins:
        return cached[1]
    found: list[Check] = []
    for batch in reversed(pm.hook.register_checks()):  # pluggy calls the last registered first
        found.extend(batch or [])
    codes = [c.code for c in found]
    if len(codes) != len(set(codes)):
        raise ValueError(f"a check code is registered twice: {sorted({c for c in codes if codes.count(c) > 1})}")
    _checks = (plugins, found)
    generation += 1
    return found


def check(code: str) -> "Check | None":
    """The registered check of ``code``, if a check declares it."""
    return next((c for c in checks() if c.code == code), None)
