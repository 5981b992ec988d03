"""Building the Datasette application for a build folder, and running it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from datasette.app import Datasette

from govdata.build.builder import current_build
from govdata.errors import ServeError
from govdata.serve import counts


def make_datasette(build: Path) -> Datasette:
    site = build / "site"
    metadata = json.loads((site / "metadata.json").read_text("utf-8"))
    metadata.setdefault("plugins", {})["govdata"] = {"build_dir": str(build)}
    settings = json.loads((site / "settings.json").read_text("utf-8"))
    inspect = json.loads((site / "inspect-data.json").read_text("utf-8"))
    dbs = [str(site / info["file"]) for info in inspect.values()]
    ds = Datasette(
        immutables=dbs,
        metadata=metadata,
        settings=settings,
        inspect_data=inspect,
        static_mounts=[("downloads", str(build / "downloads"))],
        template_dir=str(Path(__file__).parent / "templates"),  # the portal's frame, also for Datasette's pages
        cors=True,
    )
    counts_file = site / "counts.json"
    if counts_file.is_file():
        counts.install(ds, json.loads(counts_file.read_text("utf-8")))
    return ds


def resolve_build(out: Path) -> Path:
    build = current_build(out)
    if build is None:
        raise ServeError(f"no good build in {out}: run `govdata build` first")
    return build


def app_from_environment():
    """ASGI factory for uvicorn's worker processes: the build folder comes from GOVDATA_BUILD."""
    return make_datasette(Path(os.environ["GOVDATA_BUILD"])).app()


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def serve(out: Path, host: str = "127.0.0.1", port: int = 8001, workers: int | None = None) -> None:
    """Serve the live build. The files are immutable and every request is read-only, so several
    worker processes (one per core by default) share the port without sharing any state."""
    import uvicorn

    build = resolve_build(out)
    workers = workers or default_workers()
    if workers == 1:
        uvicorn.run(make_datasette(build).app(), host=host, port=port, log_level="warning")
        return
    os.environ["GOVDATA_BUILD"] = str(build)
    uvicorn.run("govdata.serve.app:app_from_environment", factory=True, workers=workers, host=host, port=port,
                log_level="warning")
