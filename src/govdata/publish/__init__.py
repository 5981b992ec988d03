"""Publish (the ``govdata build`` verb): checked catalogue → DuckDB warehouse → Parquet/CSV exports → SQLite for
Datasette → directory files, into a new folder that replaces the live build only
when everything succeeded."""
