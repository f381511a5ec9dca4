import datetime

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.matching import normalize_company
from accounts.models import Account, Contact
from gtm_portal.core.enums import PersonStatus
from gtm_portal.core.first_touch import minutes_to_first_touch
from gtm_portal.refdata.models import InitialSource
from gtm_portal.users.models import User
from leads.models import Lead
from opportunities.models import Opportunity


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.PostGenerationMethodCall("set_password", "demo")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if extracted:
            self.groups.set([Group.objects.get_or_create(name=name)[0] for name in extracted])
        self.save()


def stored_minutes(o):
    """ROUTE-4: a person built already touched carries the minutes the first touch stores."""
    return minutes_to_first_touch(
        getattr(o, "mql_date", None), getattr(o, "first_touch_at", None), getattr(o, "owner", None)
    )


def initial_source(name="Web"):
    return InitialSource.objects.get_or_create(name=name, defaults={"bucket": "inbound"})[0]


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Account {n}")
    domain = factory.Sequence(lambda n: f"account{n}.example")
    normalized_name = factory.LazyAttribute(lambda o: normalize_company(o.name))


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    first_name = "Lee"
    last_name = factory.Sequence(lambda n: f"Lead{n}")
    email = factory.Sequence(lambda n: f"lead{n}@company{n}.example")
    company = factory.Sequence(lambda n: f"Company {n}")
    initial_source = factory.LazyFunction(initial_source)
    status = PersonStatus.RAW
    first_touch_minutes = factory.LazyAttribute(stored_minutes)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    first_name = "Con"
    last_name = factory.Sequence(lambda n: f"Contact{n}")
    email = factory.Sequence(lambda n: f"contact{n}@company{n}.example")
    account = factory.SubFactory(AccountFactory)
    initial_source = factory.LazyFunction(initial_source)
    status = PersonStatus.ACCEPTED
    first_touch_minutes = factory.LazyAttribute(stored_minutes)


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    name = factory.Sequence(lambda n: f"Opportunity {n}")
    account = factory.SubFactory(AccountFactory)
    owner = factory.SubFactory(UserFactory)
    close_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
