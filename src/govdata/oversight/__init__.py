"""Disclosure oversight: timeliness in Chinese working days (more measures to come: scorecards,
annual-report tables)."""
