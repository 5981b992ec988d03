"""The ``govdata`` command: a thin layer over the library. Each command parses its
options, calls one library function, renders the result and picks the exit code
(0 clean, 1 findings/errors, 2 usage)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from govdata import __version__, verdicts
from govdata.errors import GovdataError

DEFAULT_OUT = verdicts.DEFAULT_OUT


def _out(repo: Path, out: str) -> Path:
    """--out: relative to the repository root unless absolute."""
    return Path(out) if Path(out).is_absolute() else repo / out


def _root(path: str | None) -> Path:
    from govdata.catalog.loader import find_root

    return find_root(Path(path or "."))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="govdata")
def cli() -> None:
    """Open government data platform: check, build and serve a catalogue."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--root", type=click.Path(file_okay=False), help="Repository root (default: nearest catalog.yaml).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github", "markdown"]), default="text")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", help="Language of text output.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--changed-since",
    "changed_since",
    metavar="REF",
    help="Pull-request mode: check only what changed since this git ref, and breaking changes.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=DEFAULT_OUT,
    show_default=True,
    help="Output folder whose cache/ keeps verdicts between runs (shared with `govdata build`).",
)
def check(
    paths: tuple[str, ...], root: str | None, fmt: str, lang: str, strict: bool, changed_since: str | None, out: str
) -> None:
    """Check the catalogue (or only the datasets under PATHS)."""
    from govdata.entry import run_check

    if changed_since and paths:
        _root(root or paths[0])  # a missing catalogue is reported first, as before
        raise click.UsageError("give either PATHS or --changed-since, not both")
    output, code = run_check(paths, root, fmt, lang, strict, changed_since, out)
    click.echo(output)
    sys.exit(code)


@cli.command()
@click.option("--root", type=click.Path(file_okay=False))
@click.option("--out", type=click.Path(file_okay=False), default=DEFAULT_OUT, show_default=True)
@click.option("--quiet", is_flag=True)
@click.option("--force", is_flag=True, help="Rebuild every dataset, even unchanged ones.")
def build(root: str | None, out: str, quiet: bool, force: bool) -> None:
    """Check and build the catalogue into OUT; the live build changes only on success.
    Unchanged datasets are reused from the live build."""
    from govdata import entry
    from govdata.publish import builder

    repo = _root(root)
    # progress lines on a terminal; CI logs (not a terminal) get only the summary
    chatty = not quiet and sys.stderr.isatty()
    log = (lambda s: click.echo(s, err=True)) if chatty else (lambda s: None)
    # the process ends with the build: what the build loaded is left to the exit, not collected
    # (the full pass over the catalogue once unfrozen, and the teardown: ~1 s at 10,000 datasets)
    builder.ENDS_AFTER = entry.ENDING
    result = builder.build(repo, _out(repo, out), log, force=force)
    click.echo(
        f"built {len(result.datasets)} datasets ({len(result.reused)} reused), "
        f"{sum(result.tables.values())} rows → {result.path}"
    )
    if entry.ENDING:
        entry._exit(0)


@cli.command()
@click.option("--root", type=click.Path(file_okay=False))
@click.option("--out", type=click.Path(file_okay=False), default=DEFAULT_OUT, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option(
    "--workers", type=click.IntRange(1, 64), default=None, help="Server processes (default: one per core, at most 4)."
)
def serve(root: str | None, out: str, host: str, port: int, workers: int | None) -> None:
    """Serve the live build read-only with Datasette, following new builds and rollbacks without a restart."""
    from govdata.serve.app import serve as do_serve

    repo = _root(root)
    target = _out(repo, out)
    click.echo(f"serving {target}/current at http://{host}:{port}/", err=True)
    do_serve(target, host, port, workers)


@cli.command()
@click.option("--root", type=click.Path(file_okay=False))
@click.option("--out", type=click.Path(file_okay=False), default=DEFAULT_OUT, show_default=True)
def rollback(root: str | None, out: str) -> None:
    """Switch the live build back to the previous good build (running servers follow within a second)."""
    from govdata.publish.builder import rollback as do_rollback

    target = _out(_root(root), out)
    was, now = do_rollback(target)
    click.echo(f"rolled back: current → builds/{now.name} (was builds/{was.name})")


@cli.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--publisher", required=True, help="Publisher id from catalog.yaml.")
@click.option("--name", required=True, help="Dataset name (lower-case, hyphens), unique in the catalogue.")
@click.option("--root", type=click.Path(file_okay=False))
def new(source: str, publisher: str, name: str, root: str | None) -> None:
    """Scaffold datasets/PUBLISHER/NAME from a CSV or Excel file, with TODOs to fill in."""
    from govdata.catalog.loader import load_catalog_file
    from govdata.scaffold import scaffold

    repo = _root(root)
    catalog, _ = load_catalog_file(repo)
    notes: list[str] = []
    target = scaffold(catalog, Path(source).resolve(), publisher, name, notes)
    rel = target.relative_to(repo)
    for note in notes:
        click.echo(note, err=True)
    click.echo(f"created {rel}/datapackage.yaml — fill in the TODOs, then run: govdata check {rel}")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text")
def codes(fmt: str) -> None:
    """List every finding code with its meaning and fix."""
    from govdata.codes import CODES, markdown_table

    if fmt == "markdown":
        click.echo(markdown_table(), nl=False)
        return
    for c in CODES.values():
        click.echo(f"{c.code:24} {c.severity:8} {c.title_zh} / {c.title_en}")


@cli.command()
@click.option("--out", type=click.Path(file_okay=False), default=DEFAULT_OUT, show_default=True)
@click.option("--today", help="The day to compute for (YYYY-MM-DD; default: GOVDATA_TODAY, else the clock).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def timeliness(out: str, today: str | None, fmt: str) -> None:
    """Timeliness of every published dataset in Chinese working days, overdue first."""
    import json

    from govdata.oversight import timeliness as tl
    from govdata.serve.app import resolve_build

    day = tl.today(today)
    doc = json.loads((resolve_build(Path(out)) / "directory" / "portal.json").read_text("utf-8"))
    rows = tl.report(doc["datasets"], day)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "today": day.isoformat(),
                    "datasets": [
                        {"id": e["id"], **(item.to_dict() if item else {"status": "not_applicable"})}
                        for e, item in rows
                    ],
                },
                ensure_ascii=False,
                indent=1,
            )
        )
        return
    for e, item in rows:
        if item is None or item.status == "not_applicable":
            click.echo(f"{e['id']:32} {'not_applicable':15} {e.get('frequency') or ''}")
            continue
        extra = (
            f"{item.working_days_overdue} working days overdue"
            if item.status == "overdue"
            else f"{item.working_days_left} working days left"
            if item.status == "due_soon"
            else ""
        )
        click.echo(
            f"{e['id']:32} {item.status:15} {item.frequency:10} last {item.last_update} "
            f"expected {item.expected} deadline {item.deadline} {extra}".rstrip()
        )


@cli.group()
def releases() -> None:
    """Releases of the datasets: rebuild them from git history, compare two of them."""


@releases.command("rebuild")
@click.option("--root", type=click.Path(file_okay=False))
@click.option("--out", type=click.Path(file_okay=False), default=DEFAULT_OUT, show_default=True)
def releases_rebuild(root: str | None, out: str) -> None:
    """Replay the repository's history (first-parent commits touching the catalogue) into OUT:
    a fresh clone gets every past release back, byte for byte."""
    from govdata.publish.history import rebuild

    repo = _root(root)
    done = rebuild(repo, repo / out if not Path(out).is_absolute() else Path(out), lambda s: click.echo(s, err=True))
    click.echo(f"replayed {len(done)} commits into {out}")


@releases.command("diff")
@click.argument("dataset")
@click.argument("old")
@click.argument("new")
@click.option("--root", type=click.Path(file_okay=False))
@click.option("--out", type=click.Path(file_okay=False), default=DEFAULT_OUT, show_default=True)
@click.option("--rows-to", type=click.Path(file_okay=False), help="Write the changed rows (CSV per resource) here.")
def releases_diff(dataset: str, old: str, new: str, root: str | None, out: str, rows_to: str | None) -> None:
    """What changed in DATASET between releases OLD and NEW of the live build (JSON)."""
    import json

    from govdata.publish.builder import current_build
    from govdata.publish.ondemand import diff_releases

    repo = _root(root)
    live = current_build(repo / out if not Path(out).is_absolute() else Path(out))
    if live is None:
        raise click.UsageError(f"no live build in {out}")
    result = diff_releases(
        live / "downloads" / dataset / "releases", old, new, sample=0, keep=Path(rows_to) if rows_to else None
    )
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


def main() -> None:
    try:
        cli(standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.exceptions.ClickException as exc:
        exc.show()
        sys.exit(2)
    except GovdataError as exc:
        from govdata.checks.changes import GitError

        click.echo(f"govdata: {exc}", err=True)
        sys.exit(2 if isinstance(exc, GitError) else 1)
    except SystemExit:
        raise
