"""Loading catalog.yaml and the dataset descriptors into the typed model.

Loading never raises on a bad *dataset*: problems become findings so that one
broken submission cannot hide the others. Only a missing or unreadable
``catalog.yaml`` aborts (:class:`CatalogError`).
"""

from __future__ import annotations

import gc
import json
import os
import re
from pathlib import Path
from typing import Any, Callable, Iterable

import govdata.yamlimport  # noqa: F401  (before yaml: its pure reader's pattern compiled on first use)
import yaml

from govdata.catalog.model import Catalog, Dataset, License, Publisher, Resource, Theme
from govdata.catalog.parsecache import ParseCache
from govdata.catalog.scan import Scan
from govdata.catalog.paths import PathRefused, resolve_inside
from govdata.catalog.safeyaml import DuplicateKeyError, line_of, load_descriptor
from govdata.errors import CatalogError, UnsafeInputError
from govdata import verdicts
from govdata.findings import Finding

DESCRIPTOR_NAMES = ("datapackage.yaml", "datapackage.yml", "datapackage.json")
SCHEMA_DIR = Path(__file__).parent / "jsonschema"
CATALOG_SCHEMA_VERSION = "1.0"
DATASET_SCHEMA_VERSION = "1.0"
_SHARED = re.compile(r"^shared:([a-z0-9][a-z0-9_-]*)$")


def json_schema_path(kind: str) -> Path:
    return SCHEMA_DIR / f"{kind}-{CATALOG_SCHEMA_VERSION if kind == 'catalog' else DATASET_SCHEMA_VERSION}.json"


def json_schema(kind: str) -> dict[str, Any]:
    return json.loads(json_schema_path(kind).read_text("utf-8"))


def find_root(start: Path) -> Path:
    """The repository root: the nearest folder at or above ``start`` with catalog.yaml."""
    start = start.resolve()
    for folder in [start, *start.parents]:
        if (folder / "catalog.yaml").is_file():
            return folder
    raise CatalogError(f"no catalog.yaml found at or above {start}")


def _flatten_publishers(items: list[dict], parent: str | None, ancestors: list[str], out: dict) -> None:
    for item in items or []:
        pub = Publisher(
            id=item["id"],
            code=str(item["code"]),
            level=item["level"],
            name=item["name"],
            name_en=item["name_en"],
            contact=item.get("contact") or {},
            parent=parent,
            homepage=item.get("homepage"),
            ancestors=list(ancestors),
        )
        out[pub.id] = pub
        _flatten_publishers(item.get("children") or [], pub.id, ancestors + [pub.id], out)


Parse = Callable[[Path], tuple[Any, Any]]


def parse_cache(cache: verdicts.VerdictCache) -> ParseCache:
    """The parse cache of ``cache``'s output folder (:mod:`govdata.catalog.parsecache`), made once
    per VerdictCache: the loads of one build share it."""
    found = cache.memo.get("descriptors")
    if not isinstance(found, ParseCache):
        found = cache.memo["descriptors"] = ParseCache(cache.directory("descriptors"))
    return found


def load_catalog_file(root: Path, cache: verdicts.VerdictCache | None = None) -> tuple[Catalog, list[Finding]]:
    """catalog.yaml (its JSON Schema verdict memoised in ``cache``, which the catalogue keeps)."""
    cache = cache or verdicts.VerdictCache(None)
    path = root / "catalog.yaml"
    try:
        raw, lines = parse_cache(cache).load(path)
    except FileNotFoundError:
        raise CatalogError(f"{path} not found") from None
    except (UnsafeInputError, yaml.YAMLError, DuplicateKeyError) as exc:
        raise CatalogError(f"catalog.yaml cannot be read: {exc}") from None
    if not isinstance(raw, dict):
        raise CatalogError("catalog.yaml must be a mapping")
    findings = cache.memoised(
        "jsonschema",
        lambda: verdicts.key(
            verdicts.version("jsonschema"), path.read_bytes(), json_schema_path("catalog").read_bytes()
        ),
        lambda: _catalog_errors(raw, lines),
    )
    if findings:
        raise CatalogError("catalog.yaml is invalid:\n" + "\n".join(f"  {f.location()}: {f.message}" for f in findings))
    publishers: dict[str, Publisher] = {}
    _flatten_publishers(raw["publishers"], None, [], publishers)
    catalog = Catalog(
        root=root,
        site=raw["site"],
        publishers=publishers,
        themes={t["id"]: Theme(t["id"], t["title"], t["title_en"], t.get("eu_theme")) for t in raw["themes"]},
        licenses={
            lic["id"]: License(lic["id"], lic["title"], lic["url"], bool(lic["open"])) for lic in raw["licenses"]
        },
        raw=raw,
        lines=lines,
        verdicts=cache,
    )
    return catalog, findings


def _catalog_errors(raw: dict, lines) -> list[Finding]:
    if verdicts.proven_valid("catalog", raw, json_schema_path("catalog")):
        return []
    import jsonschema  # only when the verdict is neither cached nor proven (govdata.verdicts)

    validator = jsonschema.Draft202012Validator(json_schema("catalog"), format_checker=jsonschema.FormatChecker())
    findings = []
    for err in sorted(validator.iter_errors(raw), key=lambda e: list(map(str, e.absolute_path))):
        key = ".".join(str(p) for p in err.absolute_path)
        findings.append(
            Finding(
                "catalog-error",
                f"{key or '(top)'}: {err.message}",
                file="catalog.yaml",
                key=key or None,
                line=line_of(lines, tuple(err.absolute_path)),
            )
        )
    return findings


def discover(root: Path, only: Iterable[Path] | None = None) -> list[Path]:
    """Descriptor files under datasets/<publisher>/<dataset>/, optionally limited to ``only`` paths."""
    base = root / "datasets"
    found = []
    for pub_dir in _folders(base):
        for ds_dir in _folders(pub_dir):
            with os.scandir(ds_dir) as entries:
                files = {e.name: e for e in entries if e.name in DESCRIPTOR_NAMES}
            # the first name present (the first name when none is: reported as missing)
            name = next((n for n in DESCRIPTOR_NAMES if n in files and files[n].is_file()), DESCRIPTOR_NAMES[0])
            found.append(ds_dir / name)
    if only:
        wanted = [Path(p).resolve() for p in only]
        found = [
            f
            for f in found
            if any(
                w == f.parent.resolve()
                or w in f.parent.resolve().parents
                or f.parent.resolve() in w.parents
                or w == f.resolve()
                for w in wanted
            )
        ]
    return found


def _folders(path: Path) -> list[Path]:
    """The folders in ``path`` (not hidden), sorted; none when it is not a folder."""
    try:
        with os.scandir(path) as entries:
            # sorted as text (one folder's entries: the order of their paths), then made paths
            return [Path(p) for p in sorted(e.path for e in entries if e.is_dir() and not e.name.startswith("."))]
    except (FileNotFoundError, NotADirectoryError):
        return []


def shared_schema_file(root: Path, name: str, is_file: Callable[[Path], bool] = Path.is_file) -> Path | None:
    """The file of shared schema ``name``: the first of schemas/<name>.yaml, .yml, .json."""
    return next((p for ext in (".yaml", ".yml", ".json") if is_file(p := root / "schemas" / f"{name}{ext}")), None)


def load_shared_schema(
    root: Path, name: str, parse: Parse = load_descriptor, path: Path | None = None
) -> dict[str, Any]:
    """Shared schema ``name`` (from ``path`` when its file was found already)."""
    path = path or shared_schema_file(root, name)
    if path is None:
        raise FileNotFoundError(f"shared schema {name!r} not found in schemas/")
    data, _ = parse(path)
    if not isinstance(data, dict):
        raise ValueError(f"schemas/{path.name} is not a mapping")
    return data


def _load_resource(
    root: Path,
    ds: Dataset,
    index: int,
    raw: Any,
    findings: list[Finding],
    parse: Parse = load_descriptor,
    memo: dict[str, str] | None = None,
    is_file: Callable[[Path], bool] = Path.is_file,
) -> Resource | None:
    where: dict[str, Any] = dict(file=ds.rel_file, dataset=ds.name)
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        return None  # reported by the metadata check
    res = Resource(name=raw["name"], raw=raw, index=index, pipeline=raw.get("pipeline"))
    schema = raw.get("schema")
    if isinstance(schema, dict):
        res.schema = schema
    elif isinstance(schema, str):
        res.schema_ref = schema
        match = _SHARED.match(schema)
        try:
            if match:
                res.schema_file = shared_schema_file(root, match.group(1), is_file)
                res.schema = load_shared_schema(root, match.group(1), parse, res.schema_file)
            else:
                path = resolve_inside(ds.dir, schema, root, memo)
                res.schema_file = path
                data, _ = parse(path)
                res.schema = data if isinstance(data, dict) else None
        except PathRefused as exc:
            findings.append(
                Finding(
                    exc.code,
                    f"resource {res.name}: schema {exc}",
                    resource=res.name,
                    key=f"resources.{index}.schema",
                    line=ds.line("resources", index, "schema"),
                    **where,
                )
            )
        except (FileNotFoundError, UnsafeInputError, ValueError, yaml.YAMLError) as exc:
            findings.append(
                Finding(
                    "schema-error",
                    f"resource {res.name}: schema {schema!r} cannot be loaded: {exc}",
                    resource=res.name,
                    key=f"resources.{index}.schema",
                    line=ds.line("resources", index, "schema"),
                    **where,
                )
            )
    data_path = raw.get("path")
    if data_path is not None:
        try:
            if not isinstance(data_path, str):
                raise PathRefused(
                    "path-unsafe", "path must be a single relative path (multipart paths are not supported)"
                )
            res.source = resolve_inside(ds.dir, data_path, root, memo)
            if not is_file(res.source):
                findings.append(
                    Finding(
                        "file-missing",
                        f"resource {res.name}: {data_path} does not exist",
                        resource=res.name,
                        key=f"resources.{index}.path",
                        line=ds.line("resources", index, "path"),
                        **where,
                    )
                )
                res.source = None
        except PathRefused as exc:
            findings.append(
                Finding(
                    exc.code,
                    f"resource {res.name}: {exc}",
                    resource=res.name,
                    key=f"resources.{index}.path",
                    line=ds.line("resources", index, "path"),
                    **where,
                )
            )
    return res


def load_dataset(
    root: Path,
    descriptor_file: Path,
    parse: Parse = load_descriptor,
    memo: dict[str, str] | None = None,
    is_file: Callable[[Path], bool] = Path.is_file,
) -> tuple[Dataset | None, list[Finding]]:
    """One dataset's descriptor (``parse``: how a file is read, by default without a cache;
    ``memo``: resolved folders shared by one load, see :func:`govdata.catalog.paths.real_path`;
    ``is_file``: whether a path is a file, by default asked of the file system)."""
    rel = descriptor_file.relative_to(root).as_posix()
    ds_dir = descriptor_file.parent
    findings: list[Finding] = []
    if not is_file(descriptor_file):
        return None, [
            Finding("file-missing", f"{ds_dir.relative_to(root).as_posix()}/ has no datapackage.yaml", file=rel)
        ]
    try:
        resolve_inside(ds_dir, descriptor_file.name, root, memo)
        data, lines = parse(descriptor_file)
    except PathRefused as exc:
        return None, [Finding(exc.code, str(exc), file=rel)]
    except UnsafeInputError as exc:
        return None, [Finding("yaml-unsafe", str(exc), file=rel)]
    except DuplicateKeyError as exc:
        return None, [
            Finding(
                "descriptor-duplicate-key",
                str(exc),
                file=rel,
                line=exc.line,
                key=".".join(str(p) for p in exc.path + (exc.key,)),
            )
        ]
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else getattr(exc, "lineno", None)
        return None, [Finding("descriptor-parse-error", str(exc).splitlines()[0][:200], file=rel, line=line)]
    if not isinstance(data, dict):
        return None, [Finding("descriptor-parse-error", "the descriptor must be a mapping of keys", file=rel)]
    name = data["name"] if isinstance(data.get("name"), str) else ds_dir.name
    ds = Dataset(
        name=name,
        folder=ds_dir.name,
        publisher_folder=ds_dir.parent.name,
        dir=ds_dir,
        descriptor_file=descriptor_file,
        rel_file=rel,
        descriptor=data,
        lines=lines,
    )
    resources = data.get("resources")
    if isinstance(resources, list):
        for i, raw in enumerate(resources):
            res = _load_resource(root, ds, i, raw, findings, parse, memo, is_file)
            if res is not None:
                ds.resources.append(res)
    return ds, findings


def load(
    root: Path,
    only: Iterable[Path] | None = None,
    cache: verdicts.VerdictCache | None = None,
    scan: Scan | None = None,
) -> tuple[Catalog, list[Finding]]:
    """Load the catalogue at ``root``: (catalog, loading findings). Verdicts of the slow checks are
    memoised in ``cache`` (default: the cache of the default output folder, ``<root>/_build``).
    ``scan``: the walk of the catalogue's files a build took first (catalog/scan.py), whose stamps
    and listings answer instead of the file system."""
    root = root.resolve()
    if scan is not None and scan.root != str(root):
        scan = None
    cache = cache or verdicts.VerdictCache.under(root / verdicts.DEFAULT_OUT)
    parsed = parse_cache(cache)
    parsed.digests.clear()  # keys of this load's files (a process may load again after changes)
    parsed.stat = os.stat if scan is None else scan.stat
    catalog, findings = load_catalog_file(root, cache)
    descriptors = discover(root, only) if scan is None or only else scan.descriptors(DESCRIPTOR_NAMES)
    parsed.warm(descriptors, min(os.cpu_count() or 1, 4))
    # resolved folders, for this load only (all of them known when a scan saw no link)
    memo: dict[str, str] = {} if scan is None else scan.real_paths()
    is_file: Callable[[Path], bool] = Path.is_file if scan is None else scan.is_file
    collecting = gc.isenabled()
    gc.disable()  # thousands of acyclic dicts: the cyclic collector's passes over them were a third of a warm load
    try:
        for descriptor in descriptors:
            ds, ds_findings = load_dataset(root, descriptor, parsed.load, memo, is_file)
            findings.extend(ds_findings)
            if ds is not None:
                catalog.datasets.append(ds)
    finally:
        if collecting:
            gc.enable()
    parsed.save(whole=not only)
    return catalog, findings
