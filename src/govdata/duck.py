"""DuckDB's engine for the gate, without DuckDB's Python layer.

``import duckdb`` runs the package's ``__init__``: its relation and expression helpers, Arrow and
Polars bridges and ``importlib.metadata`` for its version, ~80 ms of CPU of every cold
``govdata check`` (a 1,000-row check costs ~0.3 s in all). The gate only needs the connection, its
statements and the exception classes, which live in the compiled module ``_duckdb`` that the package
re-exports (the same objects: ``duckdb.Error is _duckdb.Error``, so code that imports ``duckdb``
and code that imports this module catch each other's errors and share connections).
"""

from __future__ import annotations

try:
    import _duckdb
except ImportError:  # a DuckDB whose engine module is named otherwise: its Python layer, as before
    import duckdb as _duckdb  # type: ignore[no-redef]

DuckDBPyConnection = _duckdb.DuckDBPyConnection
Error = _duckdb.Error
connect = _duckdb.connect

__all__ = ["DuckDBPyConnection", "Error", "connect"]
