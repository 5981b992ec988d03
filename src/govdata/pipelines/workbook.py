"""The error cells of an ``.xlsx`` sheet (``#DIV/0!``, ``#N/A``, ``#VALUE!`` …: a formula that failed).

python-calamine reads such a cell as empty, so a broken formula would be published as a missing
value without a word. Frictionless (openpyxl) reads the error's text as the cell's value. The
sheet's XML marks an error cell ``t="e"``, its text in ``<v>``: :func:`error_cells` finds them with
one byte search of the sheet part (a sheet without any costs one inflate of the part and no
parse) and parses the part only when it holds one. Legacy ``.xls`` (BIFF) is not read here."""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MARK = re.compile(rb"""\bt\s*=\s*["']e["']""")
_CELL_REF = re.compile(r"([A-Z]+)([0-9]+)")
_CHUNK = 1024 * 1024


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_part(zf: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding the worksheet named ``sheet`` (workbook.xml → its relationship)."""
    rid = None
    for el in ElementTree.fromstring(zf.read("xl/workbook.xml")).iter():
        if _local(el.tag) == "sheet" and el.get("name") == sheet:
            rid = el.get(_REL) or next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
            break
    if rid is None:
        return None
    for el in ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels")).iter():
        if _local(el.tag) == "Relationship" and el.get("Id") == rid:
            target = el.get("Target") or ""
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    return None


def _marked(zf: zipfile.ZipFile, part: str) -> bool:
    """Does the part hold an attribute ``t="e"`` (read in chunks, a match across two chunks found)?"""
    tail = b""
    with zf.open(part) as fh:
        while chunk := fh.read(_CHUNK):
            data = tail + chunk
            # a quoted e is rare in a sheet: two finds (memchr) before the regular expression
            if (b'"e"' in data or b"'e'" in data) and _MARK.search(data):
                return True
            tail = chunk[-16:]
    return False


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def error_cells(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    """(sheet row, column), both 1-based, → the error's text, for the error cells of ``sheet`` of
    the workbook at ``path``; empty for a workbook that is not an ``.xlsx`` zip or a sheet not found."""
    found: dict[tuple[int, int], str] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            part = _sheet_part(zf, sheet)
            if part is None or part not in zf.namelist() or not _marked(zf, part):
                return found
            with zf.open(part) as fh:
                row, col, rows = 0, 0, None
                for event, el in ElementTree.iterparse(fh, events=("start", "end")):
                    name = _local(el.tag)
                    if event == "start":
                        if name == "sheetData":
                            rows = el
                        elif name == "row":
                            row, col = int(el.get("r") or row + 1), 0
                        elif name == "c":
                            ref = _CELL_REF.fullmatch(el.get("r") or "")
                            col = _column(ref.group(1)) if ref else col + 1
                        continue
                    if name == "c" and el.get("t") == "e":
                        value = next((v.text for v in el if _local(v.tag) == "v"), None)
                        found[(row, col)] = value or "#ERROR"
                    elif name == "row" and rows is not None:
                        rows.clear()  # the rows read so far: memory stays that of one row
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, zlib.error, ElementTree.ParseError):
        return found  # calamine has read the sheet; a part it tolerates is not second-guessed here
    return found


def reach(rows: list[list[Any]], errors: dict[tuple[int, int], str]) -> list[list[Any]]:
    """``rows`` (a sheet's from A1, without the blank rows and columns after its last filled cell:
    :func:`govdata.sheets.sheet_rows`) long and wide enough to hold every error cell, which calamine
    reads as empty: an error alone in a row below the table is still a cell of the sheet."""
    for r, c in errors:
        while len(rows) < r:
            rows.append([])
        row = rows[r - 1]
        if len(row) < c:
            row.extend([""] * (c - len(row)))
    return rows
