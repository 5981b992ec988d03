"""Serving the last good build read-only with Datasette, plus the platform's routes."""
