"""IMPORT-4 fixture files: the hostile uploads an import must refuse (or read safely),
built in memory — binary ones here, the small text ones also kept in tests/data/imports/."""

import io
import os
import zipfile

import openpyxl

DATA = os.path.join(os.path.dirname(__file__), "data", "imports")
HEADER = "first_name,last_name,email,company,initial_source\n"


def data_file(name: str) -> bytes:
    with open(os.path.join(DATA, name), "rb") as f:
        return f.read()


def csv_rows(n: int, *, domain="imp.example", start=0, extra="") -> bytes:
    lines = [HEADER.strip() + ("," + extra if extra else "")]
    for i in range(start, start + n):
        lines.append(f"Ada{i},Lovelace{i},ada{i}@{domain},Analytical {i},Conference")
    return ("\n".join(lines) + "\n").encode()


def xlsx(rows: list[list], *, formula_cell: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if formula_cell:
        sheet[formula_cell] = "=1+1"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rezip(content: bytes, *, add: dict | None = None, replace: dict | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = (replace or {}).get(item.filename, src.read(item.filename))
            dst.writestr(item.filename, data)
        for name, data in (add or {}).items():
            dst.writestr(name, data)
    return out.getvalue()


def plain_xlsx() -> bytes:
    return xlsx(
        [
            ["First Name", "Last Name", "E-mail", "Company", "Initial Source"],
            ["Xena", "Sheet", "xena@sheet.example", "Sheet Co", "Conference"],
        ]
    )


def hostile() -> dict[str, bytes]:
    """name → bytes of every file that must be refused as a whole (IMPORT-4)."""
    base = plain_xlsx()
    entity_sheet = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><worksheet>&b;</worksheet>'
    )
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(2100):
            z.writestr(f"xl/x{i}.xml", "")
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as z:
        z.writestr("word/document.xml", "<document/>")
    return {
        "image-named.csv": b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
        "document.pdf.csv": b"%PDF-1.7\n%....",
        "encrypted.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
        "macros.xlsx": _rezip(base, add={"xl/vbaProject.bin": b"\0macro"}),
        "bomb.xlsx": bomb.getvalue(),
        "many-parts.xlsx": many.getvalue(),
        "entities.xlsx": _rezip(base, replace={"xl/worksheets/sheet1.xml": entity_sheet}),
        "not-a-workbook.xlsx": other_zip.getvalue(),
        "damaged.xlsx": _rezip(base, replace={"xl/workbook.xml": b"<workbook"}),
        "nul-bytes.csv": data_file("nul-bytes.csv"),
        "utf16-no-bom.csv": HEADER.encode("utf-16-le"),
        "too-many-rows.csv": HEADER.encode() + b"A,B,a@b.example,C,Conference\n" * 100_001,
        "too-big.csv": HEADER.encode() + b"x" * (20 * 1024 * 1024 + 1),
        "empty.csv": b"",
    }
