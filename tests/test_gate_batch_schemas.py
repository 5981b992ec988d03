"""Small files of *different* schemas checked together (checks/batch.py: one table per batch, each
row condition bound once and gated to the files that have it; foreign keys over their stacked key
columns) report exactly what each file checked alone reports, faults included: bad cells of each
file's own column, duplicate keys, foreign keys not found, enum and pattern violations, an
identity number in free text."""

from __future__ import annotations

from benchmarks.many import generate, plant_faults
from govdata.checks import batch, runner
from govdata.checks.runner import run_checks


def _report(root) -> dict:
    run = run_checks(root)
    try:
        return run.report.to_dict()
    finally:
        run.close()


def _spy(monkeypatch) -> tuple[list[tuple[int, int, bool]], list[int], list[tuple[int, int]]]:
    """Records each batch (files, distinct schemas, ran), each foreign-key stack (tables checked)
    and each batch's conditions (distinct ones bound, the files' own in all)."""
    batches: list[tuple[int, int, bool]] = []
    conditions: list[tuple[int, int]] = []
    stacked: list[int] = []
    real_batch, real_keys = batch._batch, runner.foreign_keys_together

    def spy_batch(tables, chunk):
        ran = real_batch(tables, chunk)
        conditions.append((len(batch._conditions(chunk)[1]), sum(len(m.rows) for m in chunk)))
        batches.append((len(chunk), len({tuple(f.name for f in m.lt.fields) for m in chunk}), ran))
        return ran

    def spy_keys(*args):
        done = real_keys(*args)
        stacked.append(len(done))
        return done

    monkeypatch.setattr(batch, "_batch", spy_batch)
    monkeypatch.setattr(runner, "foreign_keys_together", spy_keys)
    return batches, stacked, conditions


def _blank_township(root, i: int, row: int) -> None:
    path = root / f"datasets/xh-edu/xh-schools-{i:05d}/data/schools.csv"
    lines = path.read_text("utf-8").split("\n")
    cells = lines[row - 1].split(",")
    cells[5] = ""
    lines[row - 1] = ",".join(cells)
    path.write_text("\n".join(lines), "utf-8")


def test_files_of_different_schemas_checked_together_report_as_files_checked_alone(tmp_path, monkeypatch):
    root = generate(tmp_path / "repo", 24, hetero=True)
    assert plant_faults(root, every=3) == 8
    # a column of the template required in one file only: its condition holds on that file's rows alone
    descriptor = root / "datasets/xh-edu/xh-schools-00002/datapackage.yaml"
    text = descriptor.read_text("utf-8")
    township = "          description: 学校所在的街道或镇。\n"
    assert township in text
    descriptor.write_text(text.replace(township, township + "          constraints: {required: true}\n"), "utf-8")
    _blank_township(root, 2, 3)
    _blank_township(root, 6, 4)
    batches, stacked, _ = _spy(monkeypatch)
    together = _report(root)
    assert any(files >= 20 and schemas >= 20 and ran for files, schemas, ran in batches), batches
    assert stacked and max(stacked) >= 20, "the foreign keys of the 24 directories are checked in one statement"
    monkeypatch.setattr(batch, "MIN_FILES", 10**9)
    batches.clear()
    alone = _report(root)
    assert not batches
    assert together == alone
    codes = {f["code"] for f in together["findings"]}
    assert {"type-error", "constraint-error", "primary-key", "personal-data", "foreign-key"} <= codes
    # every fault is at its row and field (the ID number in a text column of the dataset's own)
    located = {(f["code"], f.get("row"), f.get("field")) for f in together["findings"]}
    assert {
        ("personal-data", 6, "extra_1"),  # an identity number in the text column of its own
        ("unique-error", 10, "school_code"),
        ("primary-key", 10, None),
        ("foreign-key", 5, "region_code"),
        ("constraint-error", 3, "school_type"),
        ("constraint-error", 7, "phone"),
        ("personal-data", 8, "address"),
        ("type-error", 6, "extra_16"),  # '十二' in an integer column of its own
    } <= located
    required = [(f["dataset"], f["row"]) for f in together["findings"] if f.get("field") == "township"]
    assert required == [("xh-schools-00002", 3)]


def test_a_file_that_fails_its_batch_leaves_the_others_batched(tmp_path, monkeypatch):
    """A declared pattern DuckDB cannot compile fails the statement of the whole batch: the batch is
    split in halves until that file is left to its own statements; the report is the one of every
    file checked alone."""
    root = generate(tmp_path / "repo", 16, hetero=True)
    plant_faults(root, every=2)
    descriptor = root / "datasets/xh-edu/xh-schools-00005/datapackage.yaml"
    text = descriptor.read_text("utf-8")
    descriptor.write_text(text.replace("pattern: '^0571-\\d{8}$'", "pattern: '^0571-(\\d{8}$'"), "utf-8")
    assert descriptor.read_text("utf-8") != text
    batches, _, _ = _spy(monkeypatch)
    together = _report(root)
    assert any(not ran for _, _, ran in batches) and any(ran and files >= 4 for files, _, ran in batches), batches
    monkeypatch.setattr(batch, "MIN_FILES", 10**9)
    assert _report(root) == together


def _rename_fields(folder, suffix: str) -> None:
    """Every field of a school directory renamed (its descriptor's keys and facets, its header)."""
    import yaml

    descriptor = folder / "datapackage.yaml"
    d = yaml.safe_load(descriptor.read_text("utf-8"))
    res = d["resources"][0]
    names = {f["name"]: f"{f['name']}{suffix}" for f in res["schema"]["fields"]}
    for f in res["schema"]["fields"]:
        f["name"] = names[f["name"]]
    res["schema"]["primaryKey"] = [names[n] for n in res["schema"]["primaryKey"]]
    for fk in res["schema"]["foreignKeys"]:
        fk["fields"] = [names[n] for n in fk["fields"]]
    for key in ("filterable", "facets"):
        res[key] = [names[n] for n in res[key]]
    descriptor.write_text(yaml.safe_dump(d, allow_unicode=True, sort_keys=False), "utf-8")
    data = folder / "data/schools.csv"
    header, rest = data.read_text("utf-8").split("\n", 1)
    data.write_text(",".join(names[n] for n in header.split(",")) + "\n" + rest, "utf-8")


def test_files_whose_fields_are_named_apart_share_the_conditions_of_their_places(tmp_path, monkeypatch):
    """Agencies name their columns differently: a field typed alike at the same place reads alike
    in the batch (its conditions bound once for all), and each file's findings name its own fields."""
    root = generate(tmp_path / "repo", 12, hetero=True)
    plant_faults(root, every=2)
    for i, folder in enumerate(sorted((root / "datasets/xh-edu").iterdir())):
        _rename_fields(folder, f"_{i}")
    batches, stacked, conditions = _spy(monkeypatch)
    together = _report(root)
    assert any(files >= 12 and schemas >= 12 and ran for files, schemas, ran in batches), batches
    distinct, rows = conditions[0]
    assert rows > 12 * 20 and distinct < rows / 4, "a field typed alike at its place: its conditions bound once"
    assert stacked and max(stacked) == 12
    monkeypatch.setattr(batch, "MIN_FILES", 10**9)
    assert _report(root) == together
    fields = {(f["dataset"], f.get("field")) for f in together["findings"]}
    assert ("xh-schools-00005", "region_code_5") in fields and ("xh-schools-00003", "school_code_3") in fields
