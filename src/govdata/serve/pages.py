"""The pages the platform adds to Datasette: one object per route, registered once.

A :class:`Page` says everything about a route in one place: the URL pattern (Datasette's
``register_routes`` regex), the handler, and how ``/openapi.json`` documents it — its own
OpenAPI path items, the OpenAPI paths documented elsewhere that it serves (the CKAN action
API's table lives in ``serve/openapi.py``), or, for the few routes that are not part of the API
(a stylesheet, the language switch), the reason why not. The plugin's route table is
``routes()`` (``serve/plugin.py``), and ``tests/test_directory_registry.py`` fails when a
route matches no documented path and gives no reason.

Pages are registered through the ``register_pages`` hook (:mod:`govdata.hookspecs`): the built-in
ones by ``serve/routes.py`` (handlers in ``serve/portal.py``, ``serve/api.py``, ...), a plugin's
by its own hook implementation; the directory formats' routes come from ``directory/formats.py``
(one page, ``directory``, serves them all). To add a page: write the handler, add a ``Page`` for
it to ``serve/routes.py``. See docs/architecture.md, "How to add a page".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Handler = Callable[..., Any]


@dataclass(frozen=True)
class Page:
    name: str  # a short id ("dataset")
    route: str | Callable[[], str]  # Datasette route regex (or a function
    # making it when the app is made)
    handler: Handler
    openapi: dict[str, Any] = field(default_factory=dict)  # OpenAPI path items it adds
    documented_at: tuple[str, ...] = ()  # OpenAPI paths written elsewhere
    undocumented: str = ""  # why it is not in the API description

    def __post_init__(self) -> None:
        if not (self.openapi or self.documented_at or self.undocumented):
            raise ValueError(f"page {self.name!r}: give its OpenAPI entry, or say why it has none")

    def pattern(self) -> str:
        return self.route() if callable(self.route) else self.route


def pages() -> list[Page]:
    """Every registered page, the built-in ones first (Datasette tries routes in this order)."""
    from govdata import plugins

    return plugins.pages()


def routes() -> list[tuple[str, Handler]]:
    """The route table for Datasette's ``register_routes``."""
    return [(page.pattern(), page.handler) for page in pages()]


def openapi_paths() -> dict[str, Any]:
    """The OpenAPI path items the pages bring."""
    paths: dict[str, Any] = {}
    for page in pages():
        paths.update(page.openapi)
    return paths


def html_page(
    operation_id: str,
    summary: str,
    example: str,
    parameters: list[dict[str, Any]] | None = None,
    not_found: str | None = None,
) -> dict[str, Any]:
    """The OpenAPI path item of an HTML page of the portal."""
    responses: dict[str, Any] = {
        "200": {"description": "page", "content": {"text/html": {"schema": {"type": "string"}}}}
    }
    if not_found:
        responses["404"] = {"description": not_found}
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "tags": ["Pages"],
            "x-example-path": example,
            "parameters": parameters or [],
            "responses": responses,
        }
    }


def path_parameter(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def json_document(operation_id: str, summary: str, schema: dict[str, Any], tag: str) -> dict[str, Any]:
    """The OpenAPI path item of a JSON document answered at a fixed path."""
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "tags": [tag],
            "x-example": "",
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}},
        }
    }
