"""Checks: catalogue files in, findings (data) out. Nothing here prints or raises on bad input."""
