"""Exceptions raised by govdata. Findings about the catalogue are *data* (see
:mod:`govdata.findings`), never exceptions; exceptions only abort a command.

    GovdataError
     ├── CatalogError      the catalogue cannot be loaded at all (no catalog.yaml, unreadable)
     ├── UnsafeInputError  a file refused before parsing (size cap, YAML alias, path escape)
     ├── BuildError        a build step failed; the previous build stays published
     └── ServeError        there is no good build to serve
"""


class GovdataError(Exception):
    """Base class of every error govdata raises on purpose."""


class CatalogError(GovdataError):
    """The catalogue cannot be loaded."""


class UnsafeInputError(GovdataError):
    """An input file was refused before it was parsed."""


class BuildError(GovdataError):
    """A build failed; nothing was published."""


class ServeError(GovdataError):
    """Nothing can be served."""
