"""REPORT-FUNNEL lifecycle stamps: written by the status service, the first moment kept
(never moved by a later move, a re-score or a recycle), kept through merge and conversion
(the earlier moment wins), backfilled from field history by migration 0012."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from gtm_portal.core.models import FieldChange
from leads.models import Lead, LifecycleStamp
from leads.services.lifecycle import person_stamp, stamps_fill
from leads.services.merge import load_records, merge_people
from leads.services.persons import lead_convert_to_contact, person_change_status
from tests.factories import AccountFactory, LeadFactory
from tests.reports_data import at, stamps


def _stamps(**link) -> dict:
    return dict(LifecycleStamp.objects.filter(**link).values_list("status", "reached_at"))


@pytest.mark.django_db
def test_a_new_lead_is_stamped_raw_at_creation(refdata):
    lead = LeadFactory()
    assert _stamps(lead=lead) == {"Raw": lead.created_at}


@pytest.mark.django_db
def test_the_status_service_stamps_and_fills_the_skipped_funnel_stages(users):
    sdr = users["sdr.amer1"]
    lead = LeadFactory(owner=sdr, status="Raw")
    stamps(lead, Raw=at(2026, 1, 1))
    person_change_status(person=lead, to="Accepted", by=sdr)  # LEAD-STATUS 4 from Raw
    got = _stamps(lead=lead)
    assert set(got) == {"Raw", "Inquiry", "MQL", "Accepted"}
    assert got["Raw"] == at(2026, 1, 1)
    assert got["Inquiry"] == got["MQL"] == got["Accepted"] > got["Raw"]


@pytest.mark.django_db
def test_the_first_moment_stays(users):
    """A recycle and a re-MQL later never move the first MQL moment."""
    sdr = users["sdr.amer1"]
    lead = LeadFactory(owner=sdr, status="MQL")
    first = at(2026, 1, 5)
    stamps(lead, Raw=at(2026, 1, 1), Inquiry=first, MQL=first)
    person_change_status(person=lead, to="Recycle", by=sdr)
    lead.refresh_from_db()
    lead.status = "MQL"
    person_stamp(lead)
    got = _stamps(lead=lead)
    assert got["MQL"] == first and "Recycle" in got


@pytest.mark.django_db
def test_merge_keeps_the_earlier_moment_per_status(users):
    sdr = users["sdr.amer1"]
    a = LeadFactory(owner=sdr, email="same@x.example")
    b = LeadFactory(owner=sdr, email="same@x.example")
    stamps(a, Raw=at(2026, 2, 1), Inquiry=at(2026, 2, 10))
    stamps(b, Raw=at(2026, 1, 1), Inquiry=at(2026, 3, 1), MQL=at(2026, 3, 2))
    merge_people(records=load_records([a.pk, b.pk]), survivor_pk=a.pk, picks={}, by=sdr)
    got = _stamps(lead=a)
    assert (got["Raw"], got["Inquiry"], got["MQL"]) == (
        at(2026, 1, 1),
        at(2026, 2, 10),
        at(2026, 3, 2),
    )
    assert _stamps(lead=b) == {}


@pytest.mark.django_db
def test_conversion_moves_the_stamps_to_the_contact(users):
    sdr = users["sdr.amer1"]
    lead = LeadFactory(owner=sdr, status="MQL")
    stamps(lead, Raw=at(2025, 12, 1), Inquiry=at(2025, 12, 2), MQL=at(2025, 12, 3))
    contact = lead_convert_to_contact(
        lead=lead, account=AccountFactory(), owner=sdr, by=sdr, reason="t"
    )
    got = _stamps(contact=contact)
    assert (got["Raw"], got["MQL"]) == (at(2025, 12, 1), at(2025, 12, 3))
    assert _stamps(lead=lead) == {}


@pytest.mark.django_db
def test_backfill_reads_the_field_history(refdata):
    """Migration 0012: the earliest status change per status, Raw at creation, implied
    funnel stages at the same moment, the current status without history at creation."""
    migration = importlib.import_module("leads.migrations.0013_lifecycle_stamps")
    lead = LeadFactory(status="Qualifying")
    quiet = LeadFactory(status="Inquiry")
    LifecycleStamp.objects.all().delete()
    ct = ContentType.objects.get_for_model(Lead)
    t1, t2, t3 = (timezone.now() - datetime.timedelta(days=d) for d in (30, 20, 10))
    for moment, new in ((t1, "MQL"), (t2, "Recycle (Nurture)"), (t3, "MQL"), (t3, "Qualifying")):
        FieldChange.objects.create(
            content_type=ct, object_id=lead.pk, field="status", new_value=new, changed_at=moment
        )
    migration.backfill(apps, None)
    got = _stamps(lead=lead)
    assert got == {
        "Raw": lead.created_at,
        "Inquiry": t1,
        "MQL": t1,
        "Recycle": t2,
        "Accepted": t3,
        "Qualifying": t3,
    }
    assert _stamps(lead=quiet) == {"Raw": quiet.created_at, "Inquiry": quiet.created_at}


@pytest.mark.django_db
def test_people_written_in_bulk_are_stamped_by_the_set_based_fill(refdata):
    """The demo generator and imports write people without the per-row service."""

    mql_at = at(2026, 3, 3)
    [lead] = Lead.objects.bulk_create([LeadFactory.build(status="MQL", mql_date=mql_at)])
    lead.refresh_from_db()
    assert _stamps(lead=lead) == {}
    assert stamps_fill(Lead) == 3
    assert _stamps(lead=lead) == {"Raw": lead.created_at, "Inquiry": lead.created_at, "MQL": mql_at}
    assert stamps_fill(Lead) == 0
