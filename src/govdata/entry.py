"""The ``govdata`` command's entry point: a plain ``govdata check`` without Click.

Importing Click costs ~20 ms of CPU (it imports ``inspect``, ``uuid`` and so ``platform``), a
tenth of a cold 1,000-row check (issue 14). A command line that is ``check`` followed only by its
own options, well-formed, with valid choices and existing paths, is parsed here and run by the
same function as the Click command (:func:`run_check`); anything else — another command, help,
``--version``, an unknown or malformed option, a choice or path Click would refuse — goes to
:mod:`govdata.cli`, which parses, refuses and explains exactly as before.
"""

from __future__ import annotations

import errno
import gc
import os
import sys
import threading
import types
from pathlib import Path
from typing import Any

# the check command's options: name -> (keyword, choices or None for a folder, or "flag")
_OPTIONS: dict[str, tuple[str, tuple[str, ...] | str | None]] = {
    "--root": ("root", None),
    "--format": ("fmt", ("text", "json", "github", "markdown")),
    "--lang": ("lang", ("zh", "en")),
    "--strict": ("strict", "flag"),
    "--changed-since": ("changed_since", ""),
    "--out": ("out", None),
}


_left_open: list[Any] = []  # check runs whose database the process's end discards (run_check)


def parse_check(argv: list[str]) -> dict[str, Any] | None:
    """The keyword arguments of :func:`run_check` for ``argv`` (the words after the program), or
    None unless Click would accept the command line as it stands and run ``check`` with them."""
    from govdata.verdicts import DEFAULT_OUT

    if not argv or argv[0] != "check":
        return None
    got: dict[str, Any] = {
        "paths": [],
        "root": None,
        "fmt": "text",
        "lang": "zh",
        "strict": False,
        "changed_since": None,
        "out": DEFAULT_OUT,
    }
    words = iter(argv[1:])
    only_paths = False
    for word in words:
        if only_paths or not word.startswith("-"):
            if not word or not os.path.exists(word) or not os.access(word, os.R_OK):
                return None  # Click says which path does not exist
            got["paths"].append(word)
            continue
        if word == "--":
            only_paths = True
            continue
        name, eq, value = word.partition("=")
        if name not in _OPTIONS:
            return None  # help, an unknown option, a short form: Click's
        key, kind = _OPTIONS[name]
        if kind == "flag":
            if eq:
                return None
            got[key] = True
            continue
        if not eq:
            value = next(words, "")
        if not value or value.startswith("-"):
            return None
        if isinstance(kind, tuple) and value not in kind:
            return None
        if kind is None and os.path.exists(value) and (os.path.isfile(value) or not os.access(value, os.R_OK)):
            return None  # a folder option naming a file, or one that cannot be read
        got[key] = value
    if got["paths"] and got["changed_since"]:
        return None  # Click's usage error
    return got


def run_check(
    paths: list[str] | tuple[str, ...],
    root: str | None,
    fmt: str,
    lang: str,
    strict: bool,
    changed_since: str | None,
    out: str,
    ending: bool = False,
) -> tuple[str, int]:
    """``govdata check``: the report as text in ``fmt`` and the exit code (0 clean, 1 findings).
    ``ending``: the process ends after the report (:func:`_exit`), so the scratch database, in
    memory, is not closed (~5-15 ms of closing its tables and its threads); its work folder goes."""
    from govdata import verdicts
    from govdata.catalog.loader import find_root
    from govdata.checks.runner import run_changed, run_checks

    repo = find_root(Path(root or (paths[0] if paths else None) or "."))
    cache = verdicts.VerdictCache.under(Path(out) if Path(out).is_absolute() else repo / out)
    if changed_since:
        run = run_changed(repo, changed_since, cache=cache, report_only=True)
    else:
        run = run_checks(repo, [Path(p) for p in paths] or None, cache=cache, report_only=True)
    try:
        report = run.report.strict() if strict else run.report
    finally:
        if ending:
            _left_open.append(run)  # collected, the connection would close itself
        run.close(engine=not ending)
    if fmt == "json":
        output = report.to_json()
    else:
        from govdata import render

        output = {"text": render.text, "github": render.github, "markdown": render.markdown}[fmt](report, lang)
    return output, 0 if report.ok else 1


def _echo(text: str) -> None:
    """``click.echo(text)`` for text Click would write as it is (no escape sequence to strip, a
    stream that takes every character); other text goes through Click itself."""
    stream = sys.stdout
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    if "\x1b" in text or encoding not in ("utf8", "utf8sig"):
        import click

        click.echo(text)
        return
    stream.write(text + "\n")
    stream.flush()


class _Deferred(types.ModuleType):
    """A standard module imported when one of its attributes is first read (:func:`_defer`)."""

    def __getattr__(self, name: str) -> Any:
        import importlib

        with _deferring:
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
                try:
                    real = importlib.import_module(self.__name__)
                except BaseException:
                    sys.modules[self.__name__] = self
                    raise
                self.__dict__.update(real.__dict__)  # read directly from now on, as the module itself
        return getattr(sys.modules[self.__name__], name)


_deferring = threading.Lock()


def _defer(name: str) -> None:
    """Import the standard module ``name`` when it is first used rather than when imported.

    ``dataclasses`` imports ``inspect`` (with ``ast``, ``dis``, ``tokenize``: ~5 ms of a cold
    1,000-row check, issue 14) for the one case where a class has no docstring, and pluggy for
    its plugin manager, which a check without plugins does not make (plugins.py). A module that
    imports ``name`` meanwhile binds a stand-in; reading an attribute of it imports the module
    (once, under a lock: the check's threads may ask at once) and copies its names into it."""
    if name not in sys.modules:
        sys.modules[name] = _Deferred(name)


def _undefer(name: str) -> None:
    """The real module ``name`` in place of :func:`_defer`'s stand-in (a module that bound the
    stand-in reads the real names through it)."""
    stand_in = sys.modules.get(name)
    if isinstance(stand_in, _Deferred):
        import importlib

        with _deferring:
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
                stand_in.__dict__.update(importlib.import_module(name).__dict__)


# True in the ``govdata`` command's own process (not when a test calls ``cli.main`` in its
# process): a command may then end the process through :func:`_exit` when it is done
ENDING = False


def main() -> None:
    # the collector is off while the modules load (their objects live as long as the process: every
    # collection of them is wasted, ~10-20 ms of a cold small check) and then sees only what the
    # check itself makes (gc.freeze: the modules' objects are never scanned again)
    gc.disable()
    _defer("inspect")  # parse_check's imports bind it (dataclasses)
    kwargs = parse_check(sys.argv[1:])
    if kwargs is None:
        # the other commands (serve, build…) use the standard library as it is
        _undefer("inspect")
        global ENDING
        ENDING = True  # this process ends with the command (cli.build exits through _exit)
        gc.enable()
        from govdata.cli import main as click_main

        click_main()
        return
    from govdata import dcbytecode  # only for the check, whose start-up counts (issue 14)

    dcbytecode.install()  # dataclasses' methods compiled once, kept as bytecode
    from govdata.errors import GovdataError

    try:
        import govdata.checks.runner  # noqa: F401  (loaded with the collector off)

        dcbytecode.save()

        gc.freeze()
        gc.enable()
        output, code = run_check(**kwargs, ending=True)
        _echo(output)
    except (KeyboardInterrupt, EOFError):
        sys.exit(130)  # Click's Abort
    except GovdataError as exc:
        import click

        from govdata.checks.changes import GitError

        click.echo(f"govdata: {exc}", err=True)
        sys.exit(2 if isinstance(exc, GitError) else 1)
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        sys.stdout = open(os.devnull, "w")  # as Click: a closed pipe ends the command quietly
        sys.exit(1)
    _exit(code)


def _exit(code: int) -> None:
    """Exit as the interpreter would, without tearing down every module's objects one by one
    (~20-30 ms of CPU after a small check, longer than its DuckDB statements): other threads are
    joined (threading's own exit step), exit handlers run (weak-reference finalizers, coverage's
    data), the standard streams flushed; then the process ends."""
    import atexit
    import threading

    threading._shutdown()  # type: ignore[attr-defined]  # what the interpreter's exit calls first
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
