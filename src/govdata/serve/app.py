"""Building the Datasette application for a build folder, and running it."""

from __future__ import annotations

import json
from pathlib import Path

from datasette.app import Datasette

from govdata.build.builder import current_build
from govdata.errors import ServeError


def make_datasette(build: Path) -> Datasette:
    site = build / "site"
    metadata = json.loads((site / "metadata.json").read_text("utf-8"))
    metadata.setdefault("plugins", {})["govdata"] = {"build_dir": str(build)}
    settings = json.loads((site / "settings.json").read_text("utf-8"))
    inspect = json.loads((site / "inspect-data.json").read_text("utf-8"))
    dbs = [str(site / info["file"]) for info in inspect.values()]
    return Datasette(
        immutables=dbs,
        metadata=metadata,
        settings=settings,
        inspect_data=inspect,
        static_mounts=[("downloads", str(build / "downloads"))],
        cors=True,
    )


def resolve_build(out: Path) -> Path:
    build = current_build(out)
    if build is None:
        raise ServeError(f"no good build in {out}: run `govdata build` first")
    return build


def serve(out: Path, host: str = "127.0.0.1", port: int = 8001) -> None:
    import uvicorn

    build = resolve_build(out)
    ds = make_datasette(build)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")
