"""Running a declared pipeline into a CSV file."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from govdata.catalog.safeyaml import load_descriptor
from govdata.errors import UnsafeInputError
from govdata import plugins
from govdata.pipelines.steps import TRANSFORMS, StepError, write_csv


class PipelineError(Exception):
    pass


def pipeline_file(root: Path, name: str) -> Path | None:
    for ext in (".yaml", ".yml"):
        path = root / "pipelines" / f"{name}{ext}"
        if path.is_file():
            return path
    return None


def pipeline_fingerprint(root: Path, name: str) -> str:
    """Hash of the pipeline definition and the step code, for incremental builds."""
    h = hashlib.sha256()
    path = pipeline_file(root, name)
    if path:
        h.update(path.read_bytes())
    h.update(Path(__file__).with_name("steps.py").read_bytes())
    return h.hexdigest()


def run_pipeline(root: Path, name: str, dataset_dir: Path, out: Path, params: dict[str, Any] | None = None) -> int:
    """Run pipeline ``name`` and write its rows to ``out``; return the row count."""
    path = pipeline_file(root, name)
    if path is None:
        raise PipelineError(f"pipeline '{name}' not found in pipelines/")
    try:
        spec, _ = load_descriptor(path)
    except (UnsafeInputError, yaml.YAMLError, ValueError) as exc:  # ValueError: a key given twice
        raise PipelineError(f"pipelines/{path.name}: {exc}") from None
    steps = spec.get("steps") if isinstance(spec, dict) else None
    if not isinstance(steps, list) or not steps:
        raise PipelineError(f"pipelines/{path.name}: 'steps' must be a non-empty list")
    ctx = {"root": root, "dataset_dir": dataset_dir}
    rows: Any = None
    for i, step in enumerate(steps):
        if not isinstance(step, dict) or "step" not in step:
            raise PipelineError(f"pipelines/{path.name}: step {i + 1} needs a 'step' key")
        args = {k: v for k, v in step.items() if k != "step"}
        if i == 0:
            args.update(params or {})
            sources = plugins.pipeline_sources()
            fn = sources.get(step["step"])
            if fn is None:
                raise PipelineError(
                    f"pipelines/{path.name}: step 1 '{step['step']}' is not a source step "
                    f"({', '.join(sorted(sources))})"
                )
            rows = fn(ctx, **args)
        else:
            fn = TRANSFORMS.get(step["step"])
            if fn is None:
                raise PipelineError(
                    f"pipelines/{path.name}: step {i + 1} '{step['step']}' is unknown ({', '.join(sorted(TRANSFORMS))})"
                )
            rows = fn(rows, ctx, **args)
    try:
        return write_csv(rows, out)
    except (StepError, TypeError, KeyError, OSError, UnicodeDecodeError) as exc:
        raise PipelineError(f"pipelines/{path.name}: {exc}") from None
