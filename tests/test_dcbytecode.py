"""Dataclasses' methods compiled once and kept as bytecode (govdata/dcbytecode.py): the methods
are those dataclasses makes, read back by the next process instead of compiled again."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

MAKE = """
import dataclasses, json, sys
from dataclasses import dataclass, field
from govdata import dcbytecode
dcbytecode.PATH = sys.argv[1]

def make():
    @dataclass(frozen=True)
    class A:
        x: int
        y: str = "a"
        z: list = field(default_factory=list)

    @dataclass(order=True, slots=True)
    class B:
        n: float
        m: "dict[str, int] | None" = None

    @dataclass(unsafe_hash=True, kw_only=True)
    class C:
        p: tuple = ()
        q: int = field(default=3, compare=False)

    return [A, B, C]

def code(fn):
    fn = getattr(fn, "__wrapped__", fn)  # __repr__ is wrapped against recursion
    return fn.__code__ if hasattr(fn, "__code__") else None

plain = make()
dcbytecode.install()
kept = make()
names = ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__", "__lt__", "__ge__")
same = all(code(vars(p).get(n)) == code(vars(k).get(n)) for p, k in zip(plain, kept) for n in names)
A, B, C = kept
a = A(1, z=[2])
try:
    a.x = 3
    frozen = False
except dataclasses.FrozenInstanceError:
    frozen = True
ok = (repr(a), a == A(1, "a", [2]), B(1.0) < B(2.0), hash(C(p=(1,))) == hash(C(p=(1,), q=9)), frozen)
added = dcbytecode._added
dcbytecode.save()  # nothing written under PYTHONDONTWRITEBYTECODE, as .pyc files
import os
written = os.path.exists(sys.argv[1])
dcbytecode.save(always=True)  # scripts/setup.sh's, as compileall's
print(json.dumps([same, list(ok), added, written]))
"""


def _run(path, write_bytecode: bool = True) -> list:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if not write_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    out = subprocess.run([sys.executable, "-c", MAKE, str(path)], capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout)


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="installed on the Python it copies (3.11) only")
def test_kept_methods_are_dataclasses_own_and_read_back(tmp_path):
    path = tmp_path / "methods.marshal"
    same, ok, added, written = _run(path)
    assert same and ok == ["make.<locals>.A(x=1, y='a', z=[2])", True, True, True, True] and added > 0 and written
    assert _run(path) == [True, ok, 0, True]  # nothing compiled: every text was kept


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="installed on the Python it copies (3.11) only")
def test_nothing_is_kept_where_python_writes_no_bytecode_unless_asked(tmp_path):
    path = tmp_path / "methods.marshal"
    same, _, added, written = _run(path, write_bytecode=False)
    assert same and added > 0 and not written and path.exists()  # save(always=True) wrote it


def test_an_unreadable_file_is_compiled_again(tmp_path):
    path = tmp_path / "methods.marshal"
    path.write_bytes(b"not marshal")
    same, ok, added, _ = _run(path)
    assert same and ok[1:] == [True, True, True, True] and added > 0
