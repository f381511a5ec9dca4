"""Q-SAFE CSV cells (core.csvexport, the one streamer of every export and report): text a
spreadsheet would run as a formula is neutralised — including the full-width ＝＋－＠ forms
and leading spaces — while numbers stay numbers."""

import csv
import io
from decimal import Decimal

import pytest

from gtm_portal.core.csvexport import safe_cell, stream_csv
from tests.factories import LeadFactory


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        "+cmd",
        "-2+3",
        "@SUM(A1)",
        "\tx",
        "\rx",
        "＝1+1",
        "＋cmd",
        "－2",
        "＠x",
        " =1+1",
        "\u3000＝x",
    ],
)
def test_q_safe_formula_text_is_quoted(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value, written",
    [
        (-15, "-15"),
        (Decimal("-2.50"), "-2.50"),
        (-0.5, "-0.5"),
        (0, "0"),
        (None, ""),
        (True, "True"),
    ],
)
def test_q_safe_numbers_are_written_as_numbers(value, written):
    assert safe_cell(value) == written


def test_q_safe_plain_text_is_untouched():
    assert safe_cell("Acme - Berlin") == "Acme - Berlin" and safe_cell("a=b") == "a=b"


def _rows(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_q_safe_the_streamer_writes_both_forms_and_the_reports_format():
    rows = [['＝HYPERLINK("x")', -15, " +1"]]
    assert _rows(stream_csv("x.csv", ["a", "b", "c"], rows)) == [
        ["a", "b", "c"],
        ['\'＝HYPERLINK("x")', "-15", "' +1"],
    ]
    plain = b"".join(
        stream_csv("x.csv", ["a"], [[1]], bom=False, lineterminator="\n").streaming_content
    )
    assert plain == b"a\n1\n"


def test_q_safe_a_long_export_streams_in_pieces_and_loses_no_row_at_their_edges():
    """Memory stays flat: tens of thousands of rows go out in pieces of about 64 KB, every
    row whole and once, each cell still formula-safe."""
    rows = [[i, f"=cmd{i}" if i % 7 == 0 else f"name, {i}", "line\nbreak"] for i in range(30000)]
    response = stream_csv("x.csv", ["n", "name", "note"], rows)
    pieces = list(response.streaming_content)
    assert len(pieces) > 10 and max(len(p) for p in pieces) < 80 * 1024
    back = list(csv.reader(io.StringIO(b"".join(pieces).decode("utf-8-sig"))))
    assert back[0] == ["n", "name", "note"] and len(back) == 30001
    assert back[1:] == [
        [str(i), f"'=cmd{i}" if i % 7 == 0 else f"name, {i}", "line\nbreak"] for i in range(30000)
    ]


def test_q_safe_a_lead_view_export_neutralises_full_width_formulas(client, users):
    LeadFactory(
        last_name="＝cmd|' /C calc'!A0", company=" @evil", owner=users["sdr.emea1"], status="MQL"
    )
    client.force_login(users["sdr.emea1"])
    data = _rows(client.get("/leads/views/S1/", {"format": "csv"}))
    row = next(r for r in data[1:] if r[2].endswith("A0"))
    assert row[2] == "'＝cmd|' /C calc'!A0" and row[4] == "' @evil"
