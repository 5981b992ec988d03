"""Disclosure oversight: timeliness in Chinese working days, event deadlines, scorecards, the
annual-report tables, policy links and the gate's ledger; the derived datasets that publish them
(:mod:`govdata.oversight.derived`, the build's last step)."""

from __future__ import annotations

from typing import Any

PIPELINE = "oversight"  # the pipeline source of the derived datasets


def is_derived(ds: Any) -> bool:
    """Whether a dataset is one of the derived oversight datasets (its resources come from the
    ``oversight`` pipeline source)."""
    return ds is not None and any(res.pipeline == PIPELINE for res in ds.resources)
