"""The built-in pages, registered through the ``register_pages`` hook as a plugin's would be
(:mod:`govdata.hookspecs`). Datasette tries routes in this order."""

from __future__ import annotations

from typing import Any

from govdata.hookspecs import hookimpl
from govdata.serve import api, history, measurepages, oversightpages, portal
from govdata.serve.pages import Page, html_page, json_document, path_parameter

# the release history's feeds (publish/releases.py)
_ATOM = {
    "200": {"description": "Atom feed (RFC 4287)", "content": {"application/atom+xml": {"schema": {"type": "string"}}}}
}


def _paged(item: dict[str, Any]) -> dict[str, Any]:
    """A JSON document's path item with the ``offset`` and ``limit`` (≤ 1000) query parameters."""
    item["get"]["parameters"] = [
        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
    ]
    return item


BUILT_IN = [
    Page(
        "directory",
        api.directory_route,
        api.directory_file,  # every registered format's route
        documented_at=("/data.json",),
    ),
    Page(
        "home",
        r"^/$",
        portal.home,
        openapi={"/": html_page("home_page", "Portal home: search box, themes, publishers, latest datasets", "/")},
    ),
    Page(
        "datasets",
        r"^/datasets/?$",
        portal.datasets,
        openapi={
            "/datasets": html_page(
                "search_page",
                "Catalogue search (HTML): q, facets (theme, publisher with its subtree, level, "
                "format, open_condition, license, frequency, freshness, keyword), sort, page; same engine as package_search",
                "/datasets?q=%E5%A4%84%E7%BD%9A&theme=credit",
                [
                    {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}},
                    {"name": "sort", "in": "query", "schema": {"enum": ["relevance", "modified", "title"]}},
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                ],
            )
        },
    ),
    Page(
        "dataset",
        r"^/datasets/(?P<name>[a-z0-9][a-z0-9-]*)/?$",
        portal.dataset,
        openapi={
            "/datasets/{dataset}": html_page(
                "landing_page",
                "HTML landing page with schema.org JSON-LD",
                "/datasets/zj-admin-divisions",
                [path_parameter("dataset")],
                "no such dataset",
            )
        },
    ),
    Page(
        "publishers",
        r"^/publishers/?$",
        portal.publishers,
        openapi={
            "/publishers": html_page(
                "publishers_page", "Publishers as a tree, with their dataset counts", "/publishers"
            )
        },
    ),
    Page(
        "publisher",
        r"^/publishers/(?P<id>[A-Za-z0-9][A-Za-z0-9_-]*)/?$",
        portal.publisher,
        openapi={
            "/publishers/{id}": html_page(
                "publisher_page",
                "One publisher: its datasets and those of its subtree",
                "/publishers/hz-gov",
                [path_parameter("id")],
                "no such publisher",
            )
        },
    ),
    Page(
        "themes",
        r"^/themes/?$",
        portal.themes,
        openapi={"/themes": html_page("themes_page", "Themes with their dataset counts", "/themes")},
    ),
    Page(
        "theme",
        r"^/themes/(?P<id>[A-Za-z0-9][A-Za-z0-9_-]*)/?$",
        portal.theme,
        openapi={
            "/themes/{id}": html_page(
                "theme_page", "One theme's datasets", "/themes/credit", [path_parameter("id")], "no such theme"
            )
        },
    ),
    Page(
        "language",
        r"^/-/lang$",
        portal.switch_language,
        undocumented="a redirect that sets the interface-language cookie, not an API",
    ),
    Page(
        "timeliness",
        r"^/oversight/timeliness(\.(?P<format>json))?$",
        measurepages.timeliness_page,
        openapi={
            "/oversight/timeliness.json": _paged(
                json_document(
                    "oversight/timeliness_json",
                    "Every dataset's timeliness in Chinese working days, overdue first (GOVDATA_TODAY fixes "
                    "the day), a page at a time: count, counts per status, next",
                    {"type": "object", "required": ["today", "count", "counts", "offset", "limit", "next", "datasets"]},
                    "Directory",
                )
            )
        },
    ),
    Page(
        "scorecards",
        r"^/oversight/scorecards(\.(?P<format>json))?$",
        measurepages.scorecards_page,
        openapi={
            "/oversight/scorecards.json": json_document(
                "oversight/scorecards_json",
                "Every publisher's scorecard, own datasets and rolled up its subtree",
                {"type": "object", "required": ["today", "publishers"]},
                "Directory",
            )
        },
    ),
    Page("stylesheet", r"^/-/portal\.css$", portal.stylesheet, undocumented="the portal's stylesheet"),
    Page(
        "openapi",
        r"^/openapi\.json$",
        api.openapi_json,
        openapi={
            "/openapi.json": json_document(
                "openapi_json", "This description", {"type": "object", "required": ["openapi", "paths"]}, "Directory"
            )
        },
    ),
    Page(
        "ckan-action",
        r"^/api/3/action/(?P<action>[a-z_]+)$",
        api.ckan_action,
        documented_at=("/api/3/action/package_search", "/api/3/action/package_show"),
    ),
    Page(
        "ckan-action-unversioned",
        r"^/api/action/(?P<action>[a-z_]+)$",
        api.ckan_action,
        undocumented="CKAN's unversioned alias of /api/3/action/ (same handler), kept for old clients",
    ),
    # the release history (publish/releases.py): changelogs, Atom feeds, diffs on demand
    Page(
        "changelog",
        r"^/changelog(?P<format>\.atom)?$",
        history.catalogue_changelog,
        openapi={
            "/changelog": html_page("changelog_page", "Every release of every dataset, newest first", "/changelog"),
            "/changelog.atom": {
                "get": {
                    "operationId": "changelog_feed",
                    "summary": "The catalogue's releases as Atom",
                    "tags": ["Directory"],
                    "x-example-path": "/changelog.atom",
                    "responses": _ATOM,
                }
            },
        },
    ),
    Page(
        "dataset-changelog",
        r"^/datasets/(?P<name>[a-z0-9][a-z0-9-]*)/changelog(?P<format>\.atom)?$",
        history.dataset_changelog,
        openapi={
            "/datasets/{dataset}/changelog": html_page(
                "dataset_changelog_page",
                "A dataset's releases: version, date, notes, what changed, downloads",
                "/datasets/zj-admin-divisions/changelog",
                [path_parameter("dataset")],
                "no such dataset",
            ),
            "/datasets/{dataset}/changelog.atom": {
                "get": {
                    "operationId": "dataset_changelog_feed",
                    "summary": "A dataset's releases as Atom",
                    "tags": ["Directory"],
                    "x-example-path": "/datasets/zj-admin-divisions/changelog.atom",
                    "parameters": [path_parameter("dataset")],
                    "responses": {**_ATOM, "404": {"description": "no such dataset"}},
                }
            },
        },
    ),
    Page(
        "dataset-diff",
        r"^/datasets/(?P<name>[a-z0-9][a-z0-9-]*)/diff\.json$",
        history.diff_on_demand,
        undocumented="needs two release ids of one dataset, which a fixed example cannot name; "
        "described in docs/api.md and docs/versions.md",
    ),
    # oversight (oversight/): event deadlines and the annual-report tables, from the derived datasets
    Page(
        "deadlines",
        r"^/oversight/deadlines$",
        oversightpages.deadlines,
        openapi={
            "/oversight/deadlines": html_page(
                "deadlines_page",
                "Event deadlines: policy documents within 5 working days, "
                "changes within 20, with their dates and sources",
                "/oversight/deadlines",
            )
        },
    ),
    Page(
        "annual-reports",
        r"^/oversight/annual-report/?$",
        oversightpages.annual_report,
        openapi={
            "/oversight/annual-report": html_page(
                "annual_reports_page", "The annual reports by publisher and year", "/oversight/annual-report"
            )
        },
    ),
    Page(
        "annual-report",
        r"^/oversight/annual-report/(?P<publisher>[A-Za-z0-9][A-Za-z0-9_-]*)/"
        r"(?P<year>[12][0-9]{3})(\.(?P<format>csv|xlsx|json))?$",
        oversightpages.annual_report,
        openapi={
            "/oversight/annual-report/{publisher}/{year}.json": {
                "get": {
                    "operationId": "annual_report",
                    "summary": "The 政府信息公开工作年度报告 tables of a publisher and year, each "
                    "number with its source (also .csv, .xlsx and the HTML page without a suffix; the dataset "
                    "zj-oversight-annual-report)",
                    "tags": ["Directory"],
                    "x-example-path": "/oversight/annual-report/xh-gov/2025.json",
                    "parameters": [
                        path_parameter("publisher"),
                        {"name": "year", "in": "path", "required": True, "schema": {"type": "integer"}},
                    ],
                    "responses": {
                        "200": {
                            "description": "the cells",
                            "content": {
                                "application/json": {
                                    "schema": {"type": "object", "required": ["publisher", "year", "cells"]}
                                }
                            },
                        },
                        "404": {"description": "no such publisher or year"},
                    },
                }
            }
        },
    ),
]


@hookimpl
def register_pages() -> list[Page]:
    return BUILT_IN
