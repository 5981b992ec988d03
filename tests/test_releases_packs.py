"""Superseded releases kept small (publish/packs.py): a reverse delta against the successor,
reconstructed byte for byte and checked against its sha256; one compressed file past the chain
bound; an incompressible file kept whole; a damaged pack refused, never served."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from pathlib import Path

import pytest

from govdata.publish import packs, sides
from govdata.publish.releases import Store
from tests import releases_sample as sample


def _object(folder: Path, data: bytes) -> tuple[Path, str]:
    sha = hashlib.sha256(data).hexdigest()
    path = folder / sha
    path.write_bytes(data)
    return path, sha


def _locate(folder: Path):
    def locate(sha: str):
        whole = folder / sha
        if whole.is_file():
            return whole
        meta = packs.read_meta(whole, sha)
        return (whole.with_name(f"{sha}.zst"), meta) if meta else None

    return locate


def _versions(n: int) -> list[bytes]:
    rnd = random.Random(7)
    rows = [f"{i},{rnd.randint(0, 10**9)},某单位{i % 97}\n" for i in range(20_000)]
    out = []
    for k in range(n):
        rows[k * 100 + 1] = f"{k * 100 + 1},changed-{k},某单位\n"
        out.append("".join(rows).encode())
    return out


def test_reverse_deltas_chain_back_byte_identical(tmp_path):
    v1, v2, v3 = _versions(3)
    (p1, s1), (p2, s2), (p3, s3) = (_object(tmp_path, v) for v in (v1, v2, v3))
    m1 = packs.pack(p1, s1, p2, s2)
    m2 = packs.pack(p2, s2, p3, s3)
    assert m1 and m2 and (m1["base"], m2["base"]) == (s2, s3)
    assert m1["packed_bytes"] < len(v1) / 50 and not p1.exists() and not p2.exists()
    work = tmp_path / "work"
    got = packs.materialize(_locate(tmp_path), s1, work)
    assert got.read_bytes() == v1 and sorted(p.name for p in work.iterdir()) == [s1]  # v2 made on the way, removed
    assert packs.materialize(_locate(tmp_path), s3, work) == p3  # whole: its own path


def test_without_a_successor_a_file_is_one_compressed_file(tmp_path):
    (v1,) = _versions(1)
    path, sha = _object(tmp_path, v1)
    meta = packs.pack(path, sha, None, None)
    assert meta and meta["base"] is None and meta["packed_bytes"] < len(v1) / 2 and not path.exists()
    assert packs.materialize(_locate(tmp_path), sha, tmp_path / "work").read_bytes() == v1
    packs.drop_pack(path, sha)  # published again: the whole file comes back, the pack goes
    assert not list(tmp_path.glob(f"{sha}.*"))


def test_a_file_that_does_not_compress_stays_whole(tmp_path):
    path, sha = _object(tmp_path, random.Random(1).randbytes(200_000))
    assert packs.pack(path, sha, None, None) is None
    assert path.is_file() and not list(tmp_path.glob("*.zst"))


def test_a_damaged_pack_is_refused(tmp_path):
    v1, v2 = _versions(2)
    (p1, s1), (p2, s2) = _object(tmp_path, v1), _object(tmp_path, v2)
    packs.pack(p1, s1, p2, s2)
    p2.chmod(0o644)
    p2.write_bytes(b"9" + v2[1:])  # the base is not what the delta was made against
    with pytest.raises(packs.PackError, match="sha256"):
        packs.materialize(_locate(tmp_path), s1, tmp_path / "work")
    assert not list((tmp_path / "work").glob("*"))
    frame = tmp_path / f"{s1}.zst"
    frame.chmod(0o644)
    frame.write_bytes(frame.read_bytes()[:-8])  # a truncated frame: refused, nothing left behind
    with pytest.raises(packs.PackError, match="truncated"):
        packs.materialize(_locate(tmp_path), s1, tmp_path / "work")
    assert not list((tmp_path / "work").glob("*"))


def test_chains_stay_bounded_and_every_release_reconstructs(tmp_path, monkeypatch):
    """With the bound at one delta, the sample's four releases alternate deltas and whole
    (or standalone compressed) files; every file still reconstructs to its recorded sha256."""
    from govdata.publish.builder import build

    monkeypatch.setattr(packs, "MAX_CHAIN", 1)
    repo, out = tmp_path / "repo", tmp_path / "out"
    sample.init(repo)
    for i in range(len(sample.RELEASES)):
        sample.write_release(repo, i)
        build(repo, out)
    store = Store(out)
    ids = json.loads((out / "releases" / sample.NAME / "log.json").read_text())
    deltas = 0
    for release in ids:
        for f in store.manifest(sample.NAME, release)["files"]:
            chain, sha = 0, f["sha256"]
            while (meta := packs.read_meta(store.object(sha), sha)) and meta["base"]:
                chain, sha = chain + 1, meta["base"]
            assert chain <= 1, (release, f["path"])
            deltas += chain
            whole = store.materialize(f["sha256"], tmp_path / "work")
            assert hashlib.sha256(whole.read_bytes()).hexdigest() == f["sha256"]
    assert deltas >= 2
    assert sides.PACKED == ".packed"


def test_a_damaged_release_file_is_a_500_never_wrong_bytes(tmp_path):
    """The server's reconstruction of a packed release file (serve/history.py) refuses a pack that
    does not give back the recorded sha256."""
    import asyncio

    from govdata.serve.history import packed_download

    v1, v2 = _versions(2)
    view = tmp_path / "releases"
    (view / sides.PACKED).mkdir(parents=True)
    (p1, s1), (p2, s2) = _object(view / sides.PACKED, v1), _object(view / sides.PACKED, v2)
    packs.pack(p1, s1, p2, s2)
    for release, sha, data in (("1.0.0", s1, v1), ("1.0.1", s2, v2)):
        (view / release).mkdir()
        manifest = {"files": [{"path": "t.csv", "format": "csv", "sha256": sha, "bytes": len(data)}]}
        (view / release / "release.json").write_text(json.dumps(manifest), encoding="utf-8")

    def get(head: bool = False):
        return asyncio.run(packed_download(view / "1.0.0", "t.csv", "text/csv", head, {}, None))

    sent = get()
    assert sent.path.read_bytes() == v1  # reconstructed from 1.0.1's file, checked
    shutil.rmtree(sent.tmp)  # (sending it would)
    assert get(head=True).size == len(v1)
    p2.write_bytes(b"9" + v2[1:])
    assert get().status == 500
    assert asyncio.run(packed_download(view / "1.0.1", "t.csv", "text/csv", False, {}, None)) is None  # whole
