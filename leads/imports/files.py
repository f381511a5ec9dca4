"""IMPORT-1/IMPORT-4: an uploaded list read safely, as a stream of rows of text.

The type is told by the content, never the name: an XLSX is a zip with a workbook part; an
OLE2 container is an encrypted (or pre-2007) workbook; known binary signatures are refused;
anything else must decode as text (UTF-8 with or without BOM, UTF-16 with BOM,
Windows-1252) and parse as CSV. Zip bombs are refused before anything is inflated (the
declared sizes, ratios and entry count); XML parts carrying a DTD or entities are refused
and openpyxl parses with defusedxml; formulas are read as the text of the formula (never
evaluated); NUL bytes refuse the file. Rows stream (csv module, openpyxl read-only): memory
stays flat in the file's size."""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator

import openpyxl

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_CELL = 32_767  # Excel's own limit; the CSV reader refuses longer fields
MAX_COLUMNS = 200
ZIP_MAX_ENTRIES = 2_000
ZIP_MAX_INFLATED = 400 * 1024 * 1024
ZIP_MAX_RATIO = 200
CSV, XLSX = "csv", "xlsx"

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BINARY_SIGNATURES = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"\x7fELF": "a program",
    b"MZ": "a Windows program",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
}
TYPE_HINT = "upload a CSV file or an Excel workbook (.xlsx)"


class FileRefused(Exception):
    """The file as a whole is refused (IMPORT-4); the message says why and what to do."""

    def __init__(self, message: str):
        super().__init__(f"IMPORT-4: {message}")
        self.message = f"IMPORT-4: {message}"


def sniff(content: bytes) -> str:
    """CSV or XLSX, from the bytes; refuses anything else with the reason."""
    if not content:
        raise FileRefused("the file is empty.")
    if len(content) > MAX_BYTES:
        raise FileRefused(
            f"the file is {len(content) / 1048576:.1f} MB; the limit is 20 MB ({TYPE_HINT})."
        )
    if content.startswith(OLE2):
        raise FileRefused(
            "this workbook is encrypted (password-protected) or in the old .xls format; "
            "save it unprotected as .xlsx or CSV and upload it again."
        )
    if content.startswith(b"PK\x03\x04") or content.startswith(b"PK\x05\x06"):
        check_workbook(content)
        return XLSX
    for signature, what in BINARY_SIGNATURES.items():
        if content.startswith(signature):
            raise FileRefused(f"this is {what}, not a list; {TYPE_HINT}.")
    return CSV


def check_workbook(content: bytes) -> None:
    """A zip that is a plain .xlsx workbook and no bomb, judged on its directory alone."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise FileRefused(f"the workbook is damaged and cannot be opened ({exc}).") from None
    if len(entries) > ZIP_MAX_ENTRIES:
        raise FileRefused(
            f"the workbook holds {len(entries):,} parts (at most {ZIP_MAX_ENTRIES:,}): "
            "it looks like a compression bomb."
        )
    inflated = sum(e.file_size for e in entries)
    if inflated > ZIP_MAX_INFLATED or any(
        e.compress_size and e.file_size / e.compress_size > ZIP_MAX_RATIO and e.file_size > 1 << 20
        for e in entries
    ):
        raise FileRefused(
            f"the workbook would inflate to {inflated / 1048576:,.0f} MB: "
            "it looks like a compression bomb."
        )
    names = {e.filename for e in entries}
    if any(e.flag_bits & 0x1 for e in entries):
        raise FileRefused("the workbook is encrypted; save it unprotected and upload it again.")
    if "xl/workbook.xml" not in names:
        raise FileRefused(f"this zip file is not an Excel workbook; {TYPE_HINT}.")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise FileRefused(
            "the workbook contains macros; save it as a plain .xlsx (no macros) or CSV."
        )
    for entry in entries:
        if entry.filename.endswith((".xml", ".rels")):
            with archive.open(entry) as part:
                head = part.read(4096)
            if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                raise FileRefused(
                    "the workbook's XML declares entities (a DTD), which is never needed "
                    "and refused; save it again from Excel."
                )


def decode(content: bytes) -> str:
    """The text of a CSV: BOMs first (UTF-8, UTF-16), then UTF-8, then Windows-1252."""
    if content.startswith(codecs.BOM_UTF8):
        text = _decode(content[3:], "utf-8")
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decode(content, "utf-16")
    else:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode(content, "cp1252")
    if "\x00" in text:
        raise FileRefused(
            "the file contains NUL bytes: it is binary or in an encoding without a BOM "
            "(save it as CSV UTF-8)."
        )
    return text


def _decode(content: bytes, encoding: str) -> str:
    try:
        return content.decode(encoding)
    except UnicodeDecodeError as exc:
        raise FileRefused(
            f"the file is not readable text (byte {exc.start:,} is not {encoding}); "
            "save it as CSV UTF-8."
        ) from None


def iter_rows(content: bytes, kind: str) -> Iterator[list[str]]:
    """Every row as a list of strings (header first), trailing empty rows skipped. Raises
    `FileRefused` for more than 100,000 data rows or a file that cannot be parsed."""
    rows = _csv_rows(content) if kind == CSV else _xlsx_rows(content)
    n = 0
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue
        n += 1
        if n > MAX_ROWS + 1:
            raise FileRefused(f"the file has more than {MAX_ROWS:,} rows; split it.")
        if len(row) > MAX_COLUMNS:
            raise FileRefused(f"row {n} has {len(row)} columns (at most {MAX_COLUMNS}).")
        yield row


def as_table(content: bytes, kind: str) -> bytes:
    """The file's rows as `iter_rows` gives them (checked; blank rows left out), written
    once as UTF-8 CSV: the upload reads the file once, and the preview and the commit read
    these rows (`table_rows`) — the same rows, and an XLSX is parsed once, not twice (9 s
    of openpyxl for 100,000 rows)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(iter_rows(content, kind))
    return out.getvalue().encode()


def table_rows(table: bytes) -> Iterator[list[str]]:
    """The rows `as_table` wrote (header first)."""
    csv.field_size_limit(MAX_CELL * 4)
    return csv.reader(io.StringIO(table.decode(), newline=""))


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    text = decode(content)
    first = text.split("\n", 1)[0]
    delimiter = next((d for d in ",;\t" if d in first), ",")
    csv.field_size_limit(MAX_CELL * 4)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as exc:
        raise FileRefused(
            f"line {reader.line_num:,} cannot be read as CSV ({exc}); a cell may be longer "
            f"than {MAX_CELL * 4:,} characters or a quote left open."
        ) from None


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    try:
        book = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=False, keep_links=False
        )
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileRefused(f"the workbook cannot be read ({type(exc).__name__}).") from None
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in values]
    except FileRefused:
        raise
    except Exception as exc:
        raise FileRefused(f"the workbook cannot be read ({type(exc).__name__}).") from None
    finally:
        book.close()


def _cell_text(value) -> str:
    """A cell as text: formulas stay the formula's text, numbers lose a spurious `.0`."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
