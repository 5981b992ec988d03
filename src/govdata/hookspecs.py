"""The platform's extension points (pluggy, as Datasette's own ``hookspecs.py``).

A plugin is a module (or object) with functions marked ``@hookimpl``, registered with
:func:`govdata.plugins.register` or installed with an entry point in the ``govdata`` group::

    [project.entry-points.govdata]
    my_checks = "my_package.checks"

The built-in checks are registered through the same hooks (:mod:`govdata.checks.rules`).
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
