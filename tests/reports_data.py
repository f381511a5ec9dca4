"""A small fixed data set for the report tests: named users, accounts by segment, helpers to
place lifecycle stamps and opportunity stamps at exact moments, and the CSV as dicts."""

import csv
import datetime
import io

from django.contrib.auth.models import Group

from accounts.models import Account
from gtm_portal.refdata.models import InitialSource
from gtm_portal.users.models import Team
from leads.models import LifecycleStamp
from opportunities.models import Opportunity, OpportunityContactRole, StageChange
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory, UserFactory
from tests.helpers import session

UTC = datetime.UTC


def at(y, m, d, hh=12, mm=0, tz=UTC) -> datetime.datetime:
    return datetime.datetime(y, m, d, hh, mm, tzinfo=tz)


def user(username, *roles, team=None, tz="UTC", manager=None):
    u = UserFactory(username=username, roles=list(roles), time_zone=tz)
    if team or manager:
        u.team = Team.objects.get_or_create(name=team)[0] if team else None
        u.manager = manager
        u.save()
    return u


def account(segment: str, **kw) -> Account:
    acct = AccountFactory(**kw)
    Account.objects.filter(pk=acct.pk).update(segment=segment)
    acct.refresh_from_db()
    return acct


def source(name: str, bucket: str = "inbound") -> InitialSource:
    return InitialSource.objects.get_or_create(name=name, defaults={"bucket": bucket})[0]


def stamps(person, **moments) -> None:
    """Put the person's stamps exactly at the given moments (status=moment); others removed."""
    link = {"contact": person} if hasattr(person, "account_id") else {"lead": person}
    LifecycleStamp.objects.filter(**link).delete()
    names = {"Pending": "Pending Acceptance"}
    for status, moment in moments.items():
        LifecycleStamp.objects.create(**link, status=names.get(status, status), reached_at=moment)


def opportunity(*, owner, account, sdr=None, stage="1-Discovery", **kw) -> Opportunity:
    opp = OpportunityFactory(owner=owner, account=account, sdr_bdr=sdr, stage=stage, **kw)
    return opp


def pending(opp, moment) -> None:
    StageChange.objects.create(
        opportunity=opp,
        from_stage="00-Pre Opportunity",
        to_stage="0-Pending Acceptance",
        changed_at=moment,
    )


def contact_role(opp, contact=None, **kw):
    contact = contact or ContactFactory(account=opp.account, **kw)
    OpportunityContactRole.objects.create(opportunity=opp, contact=contact)
    return contact


def rows(viewer, slug, **params) -> list[dict]:
    response = session(viewer).get(f"/reports/{slug}/", {**params, "format": "csv"})
    assert response.status_code == 200, response.content[:300]
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def group(name):
    return Group.objects.get_or_create(name=name)[0]
