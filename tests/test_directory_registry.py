"""Directory formats and pages are declared once (directory/formats.py, serve/pages.py): every
registered format is written by the build and served at its route with its media type, and
every route of the plugin is in the OpenAPI description (or says why it is not)."""

from __future__ import annotations

import asyncio
import re

import pytest

from govdata import plugins
from govdata.directory import formats
from govdata.hookspecs import hookimpl
from govdata.serve import pages, portal
from govdata.serve.openapi import spec


def _concrete(path: str, description: dict | None = None) -> str:
    """An OpenAPI path with its {parameters} filled in: its example's path where it gives one
    (a parameter may have a shape, such as a year), else x1."""
    example = ((description or {}).get("paths", {}).get(path, {}).get("get") or {}).get("x-example-path")
    return example.split("?")[0] if example else re.sub(r"\{[^}]+\}", "x1", path)


def undocumented_routes(description: dict, registered: list[pages.Page]) -> list[str]:
    """Routes that match no path of the description and give no reason."""
    documented = [_concrete(p, description) for p in description["paths"]]
    missing = []
    for page in registered:
        if page.undocumented:
            continue
        route = page.pattern()
        served = [p for p in documented if re.match(route, p)]
        claimed = [*page.openapi, *page.documented_at]
        if not served or any(
            _concrete(p, description) not in documented or not re.match(route, _concrete(p, description))
            for p in claimed
        ):
            missing.append(route)
    return missing


def test_every_route_is_in_the_openapi_description():
    from govdata.serve import guard

    description = spec("http://127.0.0.1", "govdata")
    assert undocumented_routes(description, [*pages.pages(), *guard.PAGES]) == []
    directory = next(page for page in pages.pages() if page.name == "directory")
    for fmt in formats.formats():
        assert fmt.route in description["paths"] and re.match(directory.pattern(), fmt.route), fmt.name


def test_a_route_without_an_entry_is_found():
    description = spec("http://127.0.0.1", "govdata")
    stray = pages.Page("stray", r"^/-/stray$", lambda request: None, documented_at=("/-/stray",))
    assert undocumented_routes(description, [*pages.pages(), stray]) == [r"^/-/stray$"]
    with pytest.raises(ValueError, match="OpenAPI"):
        pages.Page("bare", r"^/-/bare$", lambda request: None)


def test_every_format_is_written_and_served_at_its_route(built, datasette_app):
    assert len(formats.formats()) >= 6
    for fmt in formats.formats():
        assert (built / "directory" / fmt.file).is_file(), fmt.file
        r = asyncio.run(datasette_app.client.get(fmt.route))
        assert r.status_code == 200, fmt.route
        assert r.headers["content-type"] == fmt.media_type, fmt.route
        assert r.content == (built / "directory" / fmt.file).read_bytes()  # the file as written (a CSV's BOM too)


class _IdsPlugin:
    """A plugin adding a directory format and a page (the recipes of docs/architecture.md)."""

    @hookimpl
    def register_directory_formats(self):
        return [
            formats.DirectoryFormat(
                "plugin-ids",
                "plugin-ids.txt",
                "/plugin-ids.txt",
                "text/plain; charset=utf-8",
                "Dataset ids, one a line",
                lambda given: "".join(f"{r.id}\n" for r in given.records),
            )
        ]

    @hookimpl
    def register_pages(self):
        async def count(datasette, request):
            from datasette.utils.asgi import Response

            return Response.json({"datasets": len(portal.catalogue(datasette).datasets)})

        return [
            pages.Page(
                "dataset-count",
                r"^/-/dataset-count\.json$",
                count,
                openapi={
                    "/-/dataset-count.json": pages.json_document(
                        "dataset_count", "How many datasets", {"type": "object"}, "Directory"
                    )
                },
            )
        ]


@pytest.fixture
def ids_plugin():
    plugin = _IdsPlugin()
    plugins.register(plugin, name="test-plugin-ids")
    try:
        yield plugin
    finally:
        plugins.unregister(plugin)


def test_a_plugin_format_and_page_are_written_served_and_documented(tmp_path, ids_plugin):
    """A new format and a new page are one registration each: the build writes the format, the
    server serves both, the OpenAPI description lists both."""
    from govdata.publish.builder import build
    from govdata.serve.app import make_datasette
    from tests.conftest import copy_catalog

    root = copy_catalog(tmp_path / "repo", ["zj-admin-divisions"])
    live = build(root, root / "_build").path
    assert (live / "directory" / "plugin-ids.txt").read_text(encoding="utf-8") == "zj-admin-divisions\n"
    app = make_datasette(live)
    r = asyncio.run(app.client.get("/plugin-ids.txt"))
    assert r.status_code == 200 and r.text == "zj-admin-divisions\n"
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    r = asyncio.run(app.client.get("/-/dataset-count.json"))
    assert r.status_code == 200 and r.json() == {"datasets": 1}
    description = spec("http://127.0.0.1", "govdata")
    assert {"/plugin-ids.txt", "/-/dataset-count.json"} <= set(description["paths"])
    assert [p.name for p in pages.pages()][-1] == "dataset-count"  # after the built-in pages
    assert undocumented_routes(description, pages.pages()) == []


def test_an_undocumented_plugin_page_is_found(ids_plugin, monkeypatch):
    """The guard holds for plugins' pages: drop the page's OpenAPI entry and its route is reported."""
    description = spec("http://127.0.0.1", "govdata")
    del description["paths"]["/-/dataset-count.json"]
    assert undocumented_routes(description, pages.pages()) == [r"^/-/dataset-count\.json$"]


def test_a_clashing_registration_is_refused():
    class Clash:
        @hookimpl
        def register_directory_formats(self):
            return [formats.DirectoryFormat("again", "again.json", "/data.json", "application/json", "x", str)]

    clash = Clash()
    plugins.register(clash, name="test-clash")
    try:
        with pytest.raises(ValueError, match="route '/data.json' is registered twice"):
            formats.formats()
    finally:
        plugins.unregister(clash)
    assert formats.by_route("/data.json").name == "dcat-us"
