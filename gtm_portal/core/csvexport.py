"""Streamed CSV exports, formula-safe (SPEC Q-SAFE): a text cell that a spreadsheet would read
as a formula — starting with = + - @ (or their full-width forms ＝ ＋ － ＠), a tab or a
carriage return, also after leading spaces — is prefixed with a quote so it shows as text.
Numbers are written as numbers (a negative amount stays -15, not '-15)."""

import csv
import io
from decimal import Decimal

from django.http import StreamingHttpResponse

DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# A cell whose first character is none of these is safe as it is (most cells: no strip).
RISKY_FIRST = frozenset("".join(DANGEROUS) + " \u3000")
NUMBERS = (int, float, Decimal)
CHUNK = 64 * 1024  # characters a streamed piece holds (one piece per row cost 40% of an export)


def safe_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, NUMBERS) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if not text or text[0] not in RISKY_FIRST:
        return text
    return "'" + text if text.lstrip(" \u3000").startswith(DANGEROUS) else text


def stream_csv(
    filename: str, header: list[str], rows, *, bom: bool = True, lineterminator: str = "\r\n"
) -> StreamingHttpResponse:
    """`rows` as a CSV download, streamed in pieces of about 64 KB (memory stays flat
    whatever the number of rows). `bom`: a UTF-8 byte-order mark first (spreadsheets then
    read the text as UTF-8); the reports' CONTRACT format has none and "\\n" line ends."""

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator=lineterminator)
        buffer.write("\ufeff" if bom else "")
        writer.writerow(header)
        for row in rows:
            writer.writerow([safe_cell(v) for v in row])
            if buffer.tell() >= CHUNK:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(generate(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
