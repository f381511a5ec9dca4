"""Related rows for labels (SPEC Q-PERF): record pages and lists name their owner, country,
source … from a per-process snapshot of the small tables instead of joining them, and read
only the label columns of the other related rows. The names must never go stale after an
edit, and each page gets its own copies."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account
from gtm_portal.core import labels
from gtm_portal.core.labels import select_labels
from gtm_portal.users.models import User
from leads.models import Lead

from .factories import AccountFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_small_tables_are_not_joined_and_other_relations_read_only_their_labels(users):
    parent = AccountFactory(name="Parent Co")
    account = AccountFactory(
        name="Child Co", parent=parent, owner=users["ae.amer1"], bdr_assigned=users["bdr.amer1"]
    )
    qs = select_labels(Account.objects.filter(pk=account.pk), "owner", "bdr_assigned", "parent")
    sql = str(qs.query)
    assert "users_user" not in sql  # owner, BDR: from the snapshot
    assert "JOIN" in sql  # the parent is joined …
    assert 'T2."name"' in sql and 'T2."domain"' not in sql  # … for its name only
    labels.clear()
    list(User.objects.all()[:1])  # (the session user, in a real page)
    found = qs.get()
    with CaptureQueriesContext(connection) as queries:
        assert found.owner.username == "ae.amer1"
        assert found.owner.label == users["ae.amer1"].label
        assert found.bdr_assigned.username == "bdr.amer1"
        assert found.parent.name == "Parent Co"
    assert len(queries) == 0


def test_a_renamed_user_shows_at_once(users):
    lead = LeadFactory(owner=users["sdr.amer1"])
    assert (
        select_labels(Lead.objects.filter(pk=lead.pk), "owner").get().owner.label
        == users["sdr.amer1"].label
    )
    user = users["sdr.amer1"]
    user.first_name, user.last_name = "Renamed", "Person"
    user.save()
    assert (
        select_labels(Lead.objects.filter(pk=lead.pk), "owner").get().owner.label
        == "Renamed Person"
    )


def test_a_user_written_without_signals_is_found_and_copies_are_private(users):
    [ghost] = User.objects.bulk_create([User(username="ghost.writer", first_name="Ghost")])
    labels.clear()
    select_labels(Lead.objects.all(), "owner").first()  # snapshot built before the lead
    lead = LeadFactory(owner=ghost)
    first = select_labels(Lead.objects.filter(pk=lead.pk), "owner").get()
    assert first.owner.username == "ghost.writer"
    first.owner.first_name = "Changed in one request"
    again = select_labels(Lead.objects.filter(pk=lead.pk), "owner").get()
    assert again.owner.first_name == "Ghost"


def test_rows_of_one_result_share_one_copy_of_their_owner(users):
    owner = users["sdr.emea1"]
    for _ in range(3):
        LeadFactory(owner=owner)
    rows = list(select_labels(Lead.objects.filter(owner=owner), "owner", "initial_source"))
    assert len(rows) == 3
    assert len({id(r.owner) for r in rows}) == 1
    assert all(r.initial_source.pk == r.initial_source_id for r in rows)
