"""Streamed CSV exports, formula-safe (SPEC Q-SAFE): a text cell that a spreadsheet would read
as a formula — starting with = + - @ (or their full-width forms ＝ ＋ － ＠), a tab or a
carriage return, also after leading spaces — is prefixed with a quote so it shows as text.
Numbers are written as numbers (a negative amount stays -15, not '-15)."""

import csv
from decimal import Decimal

from django.http import StreamingHttpResponse

DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
NUMBERS = (int, float, Decimal)


def safe_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, NUMBERS) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if text.lstrip(" \u3000").startswith(DANGEROUS) else text


class _Echo:
    def write(self, value):
        return value


def stream_csv(
    filename: str, header: list[str], rows, *, bom: bool = True, lineterminator: str = "\r\n"
) -> StreamingHttpResponse:
    """`rows` as a CSV download. `bom`: a UTF-8 byte-order mark first (spreadsheets then read
    the text as UTF-8); the reports' CONTRACT format has none and "\\n" line ends."""
    writer = csv.writer(_Echo(), lineterminator=lineterminator)

    def generate():
        yield ("\ufeff" if bom else "") + writer.writerow(header)
        for row in rows:
            yield writer.writerow([safe_cell(v) for v in row])

    response = StreamingHttpResponse(generate(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
