"""The platform's extension points (pluggy, as Datasette's own ``hookspecs.py``).

A plugin is a module (or object) with functions marked ``@hookimpl``, registered with
:func:`govdata.plugins.register` or installed with an entry point in the ``govdata`` group::

    [project.entry-points.govdata]
    my_checks = "my_package.checks"

The built-ins are registered through the same hooks: the checks by :mod:`govdata.checks.rules`,
the directory formats by :mod:`govdata.directory.formats`, the pages by :mod:`govdata.serve.routes`,
the pipeline sources by :mod:`govdata.pipelines.steps` (see :data:`govdata.plugins.BUILT_IN`).
Each hook takes no argument.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("govdata")
hookimpl = pluggy.HookimplMarker("govdata")


@hookspec
def register_checks():
    """Return a list of checks (:class:`govdata.checks.rules.base.Check` instances) to run on every
    resource: each check's code is added to the code registry and the generated code reference, and
    its conditions to every resource's plan (the precise path and the one-pass proof alike)."""


@hookspec
def register_directory_formats():
    """Return a list of directory formats (:class:`govdata.directory.formats.DirectoryFormat`): each
    is written by every build into ``<build>/directory/``, served at its route with its media type
    and listed in ``/openapi.json``. Names, files and routes must be new."""


@hookspec
def register_pages():
    """Return a list of pages (:class:`govdata.serve.pages.Page`): routes of the server, each with its
    handler and its OpenAPI entry (or the reason it has none). Routes must be new; they are tried
    after the built-in pages."""


@hookspec
def register_pipeline_sources():
    """Return a mapping of source step names to functions ``(ctx, **params) -> rows`` (an iterable of
    dicts): the first step of a pipeline (``pipelines/<name>.yaml``). Names must be new."""
