"""Global search (CONTRACT 6 /search/, SPEC Q-PERF): each group holds the newest matches,
whether they sit among the newest rows (common terms) or only further back (rare terms)."""

import pytest

from gtm_portal.search import selectors as search

from .factories import LeadFactory

pytestmark = pytest.mark.django_db


def _lead_ids(user, text):
    groups = {kind: rows for _title, kind, rows in search.global_search(user, text)["groups"]}
    return [r.pk for r in groups["lead"]]


@pytest.mark.parametrize("recent", [3, 10, 1000], ids=["narrow", "middle", "whole table"])
def test_search_gives_the_newest_matches_wherever_they_are(users, monkeypatch, recent):
    monkeypatch.setattr(search, "RECENT", recent)
    monkeypatch.setattr(search, "PER_GROUP", 4)
    # A rare term: matches only among the oldest rows; a common one: every other row.
    rare = [LeadFactory(last_name=f"Zyxwv {i}").pk for i in range(3)]
    common = []
    for i in range(30):
        lead = LeadFactory(last_name=f"Quokka {i}" if i % 2 else f"Plain {i}")
        if i % 2:
            common.append(lead.pk)
    user = users["sdr.mgr"]
    assert _lead_ids(user, "quokka") == sorted(common, reverse=True)[:4]
    assert _lead_ids(user, "zyxwv") == sorted(rare, reverse=True)
    assert _lead_ids(user, "nothing-like-it") == []


def test_a_stale_top_id_only_widens_the_window(users, monkeypatch):
    monkeypatch.setattr(search, "RECENT", 2)
    monkeypatch.setattr(search, "PER_GROUP", 3)
    user = users["sdr.mgr"]
    first = [LeadFactory(last_name=f"Wombat {i}").pk for i in range(3)]
    assert _lead_ids(user, "wombat") == sorted(first, reverse=True)  # caches the top ids
    newer = [LeadFactory(last_name=f"Wombat new {i}").pk for i in range(2)]
    assert _lead_ids(user, "wombat") == sorted(first + newer, reverse=True)[:3]
