"""The build's one walk of the catalogue's files (catalog/scan.py): what the load and the keys take
from it instead of the file system must be what the file system says."""

from __future__ import annotations

import os

from govdata.catalog.loader import DESCRIPTOR_NAMES, discover, load
from govdata.catalog.scan import walk
from govdata.publish.buildfolder import carried_over
from govdata.publish.incremental import dataset_keys, inputs_digest
from govdata.verdicts import VerdictCache
from tests.conftest import copy_catalog


def _odd_catalogue(tmp_path):
    """Three datasets, a folder without a descriptor, a hidden folder, a JSON descriptor, a
    resource whose file is missing and a publisher folder that sorts differently as a path."""
    root = copy_catalog(tmp_path / "repo", ["xh-schools", "hz-budget-2025", "zj-admin-divisions"])
    (root / "datasets/xh-edu/no-descriptor").mkdir()
    (root / "datasets/xh-edu/.hidden").mkdir()
    (root / "datasets/xh-edu/.hidden/datapackage.yaml").write_text("name: hidden\n", "utf-8")
    (root / "datasets/xh-edu-x/a-json").mkdir(parents=True)
    (root / "datasets/xh-edu-x/a-json/datapackage.json").write_text('{"name": "a-json", "resources": []}', "utf-8")
    desc = root / "datasets/xh-edu/xh-schools/datapackage.yaml"
    desc.write_text(desc.read_text("utf-8").replace("path: data/schools.csv", "path: data/gone.csv", 1), "utf-8")
    return root


def test_the_walk_answers_as_the_file_system_does(tmp_path):
    root = _odd_catalogue(tmp_path)
    out = root / "_build"
    found = walk(root, out)
    assert found is not None
    assert found.descriptors(DESCRIPTOR_NAMES) == discover(root)
    assert inputs_digest(root, out, found) == inputs_digest(root, out)
    for path in [
        root / "catalog.yaml",
        root / "datasets/xh-edu/xh-schools/datapackage.yaml",
        root / "datasets/xh-edu/xh-schools/data/gone.csv",
        root / "datasets/xh-edu/xh-schools",
        root / "schemas/nothing.yaml",
        root / "elsewhere.txt",
        tmp_path,
    ]:
        assert found.is_file(path) == path.is_file(), path
        assert found.is_dir(path) == path.is_dir(), path
    # a symbolic link anywhere under the inputs: no walk (its target's changes would not show)
    os.symlink(root / "catalog.yaml", root / "schemas/linked.yaml")
    assert walk(root, out) is None and inputs_digest(root, out) is None


def test_a_load_with_the_walk_is_the_load_without_it(tmp_path):
    root = _odd_catalogue(tmp_path)
    out = root / "_build"
    with_walk, found_with = load(root, cache=VerdictCache(None), scan=walk(root, out))
    without, found_without = load(root, cache=VerdictCache(None))
    assert [d.name for d in with_walk.datasets] == [d.name for d in without.datasets]
    assert [d.descriptor for d in with_walk.datasets] == [d.descriptor for d in without.datasets]
    assert [(f.code, f.file, f.message) for f in found_with] == [(f.code, f.file, f.message) for f in found_without]
    assert any(f.code == "file-missing" and "gone.csv" in f.message for f in found_with)
    assert dataset_keys(with_walk, scan=walk(root, out)) == dataset_keys(without)


def test_recycled_files_are_carried_over_only_when_made_by_the_same_build():
    live = {"keys": {"a": "k1", "b": "k2", "c": "k3"}, "made": {"a": "B1", "b": "B2", "c": None}}
    recycled = {"keys": {"a": "k1", "b": "k2", "c": "k3"}, "made": {"a": "B1", "b": "B1", "c": None}}
    assert carried_over(recycled, live, {"a", "b", "c"}) == {"a"}
    # an older manifest without "made": its entries are compared
    old = {"keys": {"a": "k1"}, "entries": {"a": {"rows": 1}}}
    assert carried_over(old, {"keys": {"a": "k1"}, "entries": {"a": {"rows": 1}}}, {"a"}) == {"a"}
    assert carried_over(old, {"keys": {"a": "k1"}, "entries": {"a": {"rows": 2}}}, {"a"}) == set()
