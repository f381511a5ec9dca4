"""OPP-V1..V12 and OPP-S1/S2 through the pure stage rules: every case of
tests/data/stages.json."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest

from opportunities.workflow import Facts, check

VECTORS = json.loads((Path(__file__).parent / "data/stages.json").read_text())
IDS = {"ae.amer1": 1, "sdr.amer1": 2}


def facts(case) -> Facts:
    c = {**VECTORS["defaults"], **case}
    reasons = tuple(c["closed_lost_reasons"])
    return Facts(
        stage=c["from"],
        to=c["to"],
        order_type=c["order_type"],
        segment=c["segment"],
        iacv=Decimal(str(c["iacv"])),
        owner_id=IDS[c["owner"]],
        sdr_bdr_id=IDS.get(c["sdr_bdr"]) if c["sdr_bdr"] else None,
        ever_pending=c["ever_pending"],
        accepted=c["accepted"],
        sales_qualified="initial_iacv_before" in c
        or (
            c["accepted"]
            and c["from"] not in ("00-Pre Opportunity", "0-Pending Acceptance", "1-Discovery")
        ),
        qualification_complete=c["qualification_complete"],
        two_way_with_contact=c["two_way_with_contact"],
        bill_to=c["bill_to"],
        sold_to=c["sold_to"],
        po_answered=c["po_answered"],
        closed_won_details=c["closed_won_details"],
        closed_lost_reasons=reasons,
        closed_lost_detail=c["closed_lost_detail"],
        merged_opportunity=c["merged_opportunity"],
        unqualified_reason=bool(c["unqualified_reason"]),
        closed_days_ago=c["closed_days_ago"],
        close_date=datetime.date.today(),
    )


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[c["id"] for c in VECTORS["cases"]])
def test_stage_vector(case):
    result = check(facts(case))
    if case.get("allow"):
        assert result.allowed, result.refusals
        for stamp, value in case.get("stamps", {}).items():
            if stamp == "sales_qualified" and value is False:
                assert "sales_qualified" not in result.stamps
            elif stamp == "initial_iacv":
                expected = Decimal(str(value))
                got = result.stamps.get(
                    "initial_iacv", Decimal(str(case.get("initial_iacv_before", -1)))
                )
                assert got == expected
            else:
                assert result.stamps.get(stamp) is True, (stamp, result.stamps)
    else:
        assert set(case["refuse"]) <= set(result.rules), result.refusals
        assert not result.stamps


def test_opp_v11_terms_modification_and_v12_close_date():
    base = dict(
        stage="1-Discovery",
        to="2-Scoping",
        accepted=True,
        ever_pending=True,
        close_date=datetime.date.today(),
    )
    assert "OPP-V11" in check(Facts(**base, terms_modification=True, iacv=Decimal("24999"))).rules
    assert (
        "OPP-V11"
        in check(
            Facts(**base, terms_modification=True, iacv=Decimal("90000"), edition="Starter")
        ).rules
    )
    assert check(Facts(**base, terms_modification=True, iacv=Decimal("25000"))).allowed
    assert "OPP-V12" in check(Facts(**{**base, "close_date": None})).rules


def test_opp_v4_sales_support_may_move_back_with_a_reason():
    f = dict(
        stage="2-Scoping",
        to="0-Pending Acceptance",
        accepted=True,
        ever_pending=True,
        close_date=datetime.date.today(),
    )
    assert "OPP-V4" in check(Facts(**f)).rules
    assert check(Facts(**f, support_override=True)).allowed


def test_opp_v6_merged_into_itself_or_another_hierarchy():
    f = dict(
        stage="1-Discovery",
        to="8-Closed Lost",
        accepted=True,
        closed_lost_reasons=("Merged into another opportunity",),
        closed_lost_detail="x",
        merged_opportunity=7,
        close_date=datetime.date.today(),
    )
    assert "OPP-V6" in check(Facts(**f, merged_is_self=True)).rules
    assert "OPP-V6" in check(Facts(**f, merged_same_hierarchy=False)).rules
    assert check(Facts(**f)).allowed
