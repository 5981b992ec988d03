"""Dataclasses' methods compiled once and kept as bytecode (govdata/dcbytecode.py): the methods
are those dataclasses makes, read back by the next process instead of compiled again."""

from __future__ import annotations

import json
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
dcbytecode.save()
print(json.dumps([same, list(ok), added]))
"""


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="installed on the Python it copies (3.11) only")
def test_kept_methods_are_dataclasses_own_and_read_back(tmp_path):
    path = str(tmp_path / "methods.marshal")
    first = json.loads(
        subprocess.run([sys.executable, "-c", MAKE, path], capture_output=True, text=True, check=True).stdout
    )
    same, ok, added = first
    assert same and ok == ["make.<locals>.A(x=1, y='a', z=[2])", True, True, True, True] and added > 0
    again = json.loads(
        subprocess.run([sys.executable, "-c", MAKE, path], capture_output=True, text=True, check=True).stdout
    )
    assert again == [True, ok, 0]  # nothing compiled: every text was kept


def test_an_unreadable_file_is_compiled_again(tmp_path):
    path = tmp_path / "methods.marshal"
    path.write_bytes(b"not marshal")
    out = subprocess.run([sys.executable, "-c", MAKE, str(path)], capture_output=True, text=True, check=True)
    same, ok, _ = json.loads(out.stdout)
    assert same and ok[1:] == [True, True, True, True]
