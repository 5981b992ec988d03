"""Pages of the release history (see :mod:`govdata.publish.releases`): a dataset's changelog
(HTML and Atom), the catalogue's, and diffs on demand between any two releases of a dataset
(``/datasets/<name>/diff.json?from=A&to=B``, bounded by :mod:`govdata.publish.ondemand`)."""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
import threading
from pathlib import Path

from datasette.utils.asgi import Response

from govdata.serve import jsonutf8, portal
from govdata.serve.files import FileResponse, etag_matches, not_modified

# at most two packed release files reconstructed at a time (each holds its base in memory)
RECONSTRUCTING = threading.BoundedSemaphore(2)

ATOM_TYPE = "application/atom+xml; charset=utf-8"


def _file_response(path, content_type: str) -> Response:
    if not path.is_file():
        return Response.text("404: not found", status=404)
    return Response(
        path.read_text("utf-8"),
        content_type=content_type,
        headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "max-age=300"},
    )


def release_checksum(folder, file: str) -> str | None:
    """The sha256 a release's ``release.json`` (or ``diff.json``) records for one of its files
    (``latest/`` holds the release.json of the release it is)."""
    for name in ("release.json", "diff.json"):
        data = portal._read_json(folder / name) if file != name else None
        for entry in (data or {}).get("files") or list(((data or {}).get("rows") or {}).values()):
            if (entry.get("path") or entry.get("file")) == file and entry.get("sha256"):
                return entry["sha256"]
    return None


class _Reconstructed(FileResponse):
    """A reconstructed file, sent then removed with its temporary folder."""

    def __init__(self, tmp: Path, path: Path, size: int, content_type: str, extra: dict[str, str]):
        super().__init__(path, size, content_type, False, extra)
        self.tmp = tmp

    async def asgi_send(self, send):
        try:
            await super().asgi_send(send)
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)


def _reconstruct(view: Path, sha: str) -> tuple[Path, Path]:
    from govdata.publish import packs
    from govdata.publish.sides import view_locator

    tmp = Path(tempfile.mkdtemp(prefix="govdata-release-"))
    try:
        with RECONSTRUCTING:
            return tmp, packs.materialize(view_locator(view), sha, tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


async def packed_download(
    folder: Path, file: str, content_type: str, head: bool, extra: dict[str, str], if_none_match: str | None
):
    """A superseded release's file that is kept packed (see publish.packs): reconstructed,
    checked against the sha256 its ``release.json`` records, then sent (None: no such file)."""
    manifest = portal._read_json(folder / "release.json") or {}
    entry = next((f for f in manifest.get("files") or [] if f.get("path") == file), None)
    if entry is None or not (folder.parent / ".packed" / f"{entry['sha256']}.pack.json").is_file():
        return None
    extra = {**extra, "etag": f'"{entry["sha256"]}"'}
    if etag_matches(if_none_match, extra["etag"]):
        return not_modified(extra["etag"])
    if head:
        return FileResponse(None, int(entry["bytes"]), content_type, True, extra)
    from govdata.publish.packs import PackError

    try:
        tmp, path = await asyncio.to_thread(_reconstruct, folder.parent, entry["sha256"])
    except PackError as exc:  # never send bytes that are not the release's
        return Response.text(f"500: release file could not be reconstructed: {exc}", status=500)
    return _Reconstructed(tmp, path, path.stat().st_size, content_type, extra)


async def dataset_changelog(datasette, request):
    ix, root, name = portal.catalogue(datasette), portal.build_dir(datasette), request.url_vars["name"]
    if ix is None or root is None or name not in ix.by_id:
        return await portal.not_found(datasette, request)
    view = root / "downloads" / name / "releases"
    if request.url_vars.get("format") == ".atom":
        return _file_response(view / "changelog.atom", ATOM_TYPE)
    entry = ix.datasets[ix.by_id[name]]
    index = portal._read_json(view / "index.json") or {}
    return await portal.render(
        datasette,
        request,
        "portal_changelog.html",
        {
            "d": name,
            "title": entry["title"],
            "title_en": entry.get("title_en"),
            "releases": index.get("releases") or [],
            "feed": f"/datasets/{name}/changelog.atom",
        },
    )


async def catalogue_changelog(datasette, request):
    root = portal.build_dir(datasette)
    if root is None:
        return Response.text("not configured", status=404)
    if request.url_vars.get("format") == ".atom":
        return _file_response(root / "directory" / "changelog.atom", ATOM_TYPE)
    releases = portal._read_json(root / "directory" / "changelog.json") or []
    return await portal.render(
        datasette,
        request,
        "portal_changelog.html",
        {"d": None, "title": "", "releases": releases, "feed": "/changelog.atom"},
    )


async def diff_on_demand(datasette, request):
    from govdata.publish.ondemand import DiffRefused, diff_releases

    ix, root, name = portal.catalogue(datasette), portal.build_dir(datasette), request.url_vars["name"]
    if ix is None or root is None or name not in ix.by_id:
        return jsonutf8.response({"ok": False, "error": "no such dataset"}, status=404)
    old, new = request.args.get("from") or "", request.args.get("to") or ""
    try:
        result = await asyncio.to_thread(diff_releases, root / "downloads" / name / "releases", old, new, 100)
    except DiffRefused as exc:
        return jsonutf8.response({"ok": False, "error": str(exc)}, status=400)
    return Response(
        json.dumps(result, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
        headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "max-age=3600"},
    )


ROUTES = [
    (r"^/datasets/(?P<name>[a-z0-9][a-z0-9-]*)/changelog(?P<format>\.atom)?$", dataset_changelog),
    (r"^/datasets/(?P<name>[a-z0-9][a-z0-9-]*)/diff\.json$", diff_on_demand),
    (r"^/changelog(?P<format>\.atom)?$", catalogue_changelog),
]
