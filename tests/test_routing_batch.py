"""ROUTE-1 batches (re-score, imports) decide like routing one person at a time: people at
the same company are routed one after the other, so the second sees the first's owner
(ROUTE-2 step 10) instead of both going round the pool."""
import pytest
from django.utils import timezone

from gtm_portal.refdata.models import Country
from gtm_portal.users import roles
from gtm_portal.users.models import User
from leads.models import Lead
from leads.routing_service import route_people

from .factories import LeadFactory

pytestmark = pytest.mark.django_db


def _mql(n, domain):
    us = Country.objects.get(iso2="US")
    inquiry = User.objects.queue(roles.Q_INQUIRY)
    return [LeadFactory(email=f"p{i}@{domain}", email_domain=domain, company="Newco Widgets",
                        country=us,
                        region=us.region, status="MQL", mql_date=timezone.now(),
                        owner=inquiry, person_score=120) for i in range(n)]


def test_route_1_a_batch_keeps_one_company_with_one_rep(demo):
    first, second, third = _mql(3, "newco-widgets.example")
    other = _mql(1, "elsewhere-co.example")[0]
    rows = route_people([first, second, other, third], trigger="re-score")
    owners = {r.person_obj.pk: r.owner for r in rows}
    assert owners[first.pk] is not None and not owners[first.pk].is_queue
    assert owners[second.pk] == owners[first.pk] == owners[third.pk]
    by_pk = {r.person_obj.pk: r for r in rows}
    assert by_pk[first.pk].rule == "ROUTE-2.12"          # the pool
    assert by_pk[second.pk].rule == by_pk[third.pk].rule == "ROUTE-2.10"
    # Returned in the order given; every row stored.
    assert [r.person_obj.pk for r in rows] == [first.pk, second.pk, other.pk, third.pk]
    assert all(Lead.objects.get(pk=p.pk).owner == owners[p.pk]
               for p in (first, second, third, other))

