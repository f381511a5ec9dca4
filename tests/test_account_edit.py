"""The account edit form and inline edit (CONTRACT 6 `/accounts/<id>/edit/`, ROLE-3 field
groups, ACCT-BPS 1, ACCT-SEG / ACCT-CUSTOMER, REF-1, Q-SAFE): who may change which group,
refusals that change nothing, HTMX and no-JavaScript paths."""

import re

import pytest
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.forms import account_edit_fields
from accounts.merge import account_merge
from accounts.models import Account, Contact
from accounts.services import (
    BDR_FIELDS,
    DESCRIPTIVE_FIELDS,
    OWNERSHIP_FIELDS,
    account_update,
)
from gtm_portal.core.models import FieldChange
from gtm_portal.refdata.models import Country
from gtm_portal.users.models import User

from .helpers import admin_post_data, session

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def account(name="Globex Corporation") -> Account:
    return Account.objects.get(name=name)


def row(obj: Account) -> dict:
    """Every column of the account and its history rows: what a refusal must leave alone."""
    ct = ContentType.objects.get_for_model(Account)
    return {
        **Account.objects.filter(pk=obj.pk).values().get(),
        "history": FieldChange.objects.filter(content_type=ct, object_id=obj.pk).count(),
    }


def edit_url(obj: Account, field: str | None = None) -> str:
    return f"/accounts/{obj.pk}/edit/" + (f"?field={field}" if field else "")


def form_data(client, obj: Account, **changes) -> dict:
    """What the full edit form posts as this user sees it, with `changes` typed in."""
    page = client.get(edit_url(obj))
    assert page.status_code == 200
    form = page.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    data.update(changes)
    return data


def inline_post(client, obj: Account, field: str, value, **extra):
    data = {"version": Account.objects.get(pk=obj.pk).version, field: value, **extra}
    return client.post(edit_url(obj, field), data, **HTMX)


# ROLE-3 on Globex (owner ae.amer1, BDR Assigned bdr.amer1): the groups each role may change.
GROUPS = {"bdr": BDR_FIELDS, "ownership": OWNERSHIP_FIELDS, "descriptive": DESCRIPTIVE_FIELDS}
MAY_CHANGE = {
    "bdr.amer1": {"bdr"},
    "bdr.mgr": {"bdr"},
    "salessupport": {"bdr", "ownership", "descriptive"},  # BDR fields with a reason
    "salesadmin": {"ownership", "descriptive"},
    "ae.amer1": {"descriptive"},  # the owner
    "ae.emea1": set(),  # another AE
    "sdr.amer1": set(),
    "exec": set(),  # read-only everywhere
    "research": set(),
}
# One field of each group, the value typed, the value stored.
SAMPLE = {
    "bdr": ("bdr_next_step", "Call the VP on Monday", "Call the VP on Monday"),
    "ownership": ("type", "Integrator", "Integrator"),
    "descriptive": ("industry", "Robotics", "Robotics"),
}


@pytest.mark.parametrize("username", sorted(MAY_CHANGE))
def test_role_3_the_edit_form_holds_exactly_the_groups_the_user_may_change(client, users, username):
    globex = account()
    expected = set().union(*(GROUPS[g] for g in MAY_CHANGE[username]))
    assert set(account_edit_fields(users[username], globex)) == expected
    client.force_login(users[username])
    page = client.get(edit_url(globex))
    if expected:
        assert page.status_code == 200 and 'name="version"' in page.content.decode()
        assert set(page.context["form"].fields) - {"version", "reason"} == expected
    else:
        assert page.status_code == 403


@pytest.mark.parametrize("group", sorted(GROUPS))
@pytest.mark.parametrize("username", sorted(MAY_CHANGE))
def test_role_3_each_role_on_each_field_group(client, users, username, group):
    globex = account()
    field, typed, stored = SAMPLE[group]
    before = row(globex)
    client.force_login(users[username])
    extra = {"reason": "CRM clean-up"} if username == "salessupport" else {}
    r = inline_post(client, globex, field, typed, **extra)
    after = row(globex)
    if group in MAY_CHANGE[username]:
        assert r.status_code in (200, 204) and b"<form" not in r.content
        assert after[field] == stored and after["version"] == before["version"] + 1
        assert after["updated_by_id"] == users[username].pk
        change = FieldChange.objects.get(object_id=globex.pk, field=field)
        assert change.changed_by == users[username] and change.new_value == stored
    else:
        assert r.status_code == 403
        assert after == before  # Q-SEC: nothing changed


def test_acct_bps_1_sales_support_without_a_reason_is_told_under_the_field(client, users):
    globex = account()
    before = row(globex)
    client.force_login(users["salessupport"])
    inline = client.get(edit_url(globex, "bdr_next_step"), **HTMX).content.decode()
    assert 'name="reason"' in inline  # the inline editor asks for it
    r = inline_post(client, globex, "bdr_next_step", "Call the VP")
    body = r.content.decode()
    assert r.status_code == 200 and "ACCT-BPS 1" in body
    assert re.search(r'name="bdr_next_step".*?invalid-feedback[^>]*>ACCT-BPS 1', body, re.S)
    assert row(globex) == before
    r = client.post(edit_url(globex), form_data(client, globex, bdr_comments="Wrong BDR"))
    assert r.status_code == 200
    assert "ACCT-BPS 1" in " ".join(r.context["form"].errors["bdr_comments"])
    assert row(globex) == before
    r = client.post(
        edit_url(globex),
        form_data(
            client, globex, bdr_comments="Wrong BDR", reason="Imported into the wrong account"
        ),
    )
    assert r.status_code == 302
    change = FieldChange.objects.get(object_id=globex.pk, field="bdr_comments")
    assert change.reason == "Imported into the wrong account"


def test_acct_bps_1_bdrs_need_no_reason_and_sales_support_none_for_other_fields(client, users):
    globex = account()
    client.force_login(users["bdr.amer1"])
    assert (
        'name="reason"'
        not in client.get(edit_url(globex, "bdr_next_step"), **HTMX).content.decode()
    )
    r = client.post(
        edit_url(globex), form_data(client, globex, bdr_research="New research", priority="1")
    )
    assert r.status_code == 302
    globex.refresh_from_db()
    assert globex.bdr_research == "New research" and globex.priority == 1
    client.force_login(users["salessupport"])
    r = client.post(edit_url(globex), form_data(client, globex, name="Globex Corp"))
    assert r.status_code == 302 and account("Globex Corp").pk == globex.pk


def test_role_3_full_form_saves_each_group_with_history(client, users):
    globex = account()
    for username, changes in (
        ("ae.amer1", {"industry": "Aerospace", "employees": "6000"}),
        ("salesadmin", {"type": "Partner", "territory": "US East"}),
        ("bdr.mgr", {"bdr_next_step_date": "2027-01-15"}),
    ):
        client.force_login(users[username])
        version = row(globex)["version"]
        r = client.post(edit_url(globex), form_data(client, globex, **changes))
        assert r.status_code == 302 and r.url == globex.get_absolute_url()
        after = row(globex)
        assert after["version"] == version + 1 and after["updated_by_id"] == users[username].pk
        for field in changes:
            assert FieldChange.objects.filter(
                object_id=globex.pk, field=field, changed_by=users[username]
            ).exists()
    globex.refresh_from_db()
    assert (globex.industry, globex.employees, globex.type) == ("Aerospace", 6000, "Partner")
    assert str(globex.bdr_next_step_date) == "2027-01-15"


def test_role_3_the_service_refuses_fields_outside_the_callers_groups(users):
    globex = account()
    before = row(globex)
    with pytest.raises(PermissionDenied):
        account_update(account=globex, by=users["bdr.amer1"], data={"type": "Partner"})
    with pytest.raises(PermissionDenied):
        account_update(
            account=globex, by=users["ae.amer1"], data={"bdr_research": "x", "industry": "y"}
        )
    with pytest.raises(PermissionDenied):
        account_update(account=globex, by=users["salesadmin"], data={"priority": 1})
    with pytest.raises(ValidationError, match="ROLE-3"):
        account_update(account=globex, by=users["salessupport"], data={"segment": "SMB"})
    with pytest.raises(ValidationError, match="ROLE-3"):
        account_update(account=globex, by=users["salessupport"], data={"region": None}, reason="x")
    with pytest.raises(ValidationError, match="ROLE-3"):
        account_update(account=globex, by=users["salessupport"], data={"version": 7})
    assert row(globex) == before


def test_role_3_hand_posted_fields_outside_the_form_are_ignored(client, users):
    globex = account()
    client.force_login(users["bdr.amer1"])
    r = client.post(
        edit_url(globex),
        form_data(
            client,
            globex,
            bdr_comments="Sequenced",
            type="Partner",
            segment="SMB",
            owner=users["bdr.amer1"].pk,
        ),
    )
    assert r.status_code == 302
    globex.refresh_from_db()
    assert globex.bdr_comments == "Sequenced"
    assert (globex.type, globex.segment, globex.owner) == ("Prospect", "Large", users["ae.amer1"])


def test_acct_bps_bdr_assigned_offers_active_bdrs_only_and_refuses_others_under_the_field(
    client, users
):
    globex = account()
    before = row(globex)
    client.force_login(users["bdr.mgr"])
    field = client.get(edit_url(globex)).context["form"].fields["bdr_assigned"]
    assert {u.username for u in field.queryset} == {"bdr.mgr", "bdr.amer1", "bdr.emea1"}
    r = client.post(edit_url(globex), form_data(client, globex, bdr_assigned=users["sdr.amer1"].pk))
    assert r.status_code == 200
    assert "ACCT-BPS" in " ".join(r.context["form"].errors["bdr_assigned"])
    assert row(globex) == before
    with pytest.raises(ValidationError) as info:  # the service says the same
        account_update(
            account=globex, by=users["bdr.mgr"], data={"bdr_assigned": users["sdr.amer1"]}
        )
    assert "ACCT-BPS" in " ".join(info.value.message_dict["bdr_assigned"])
    assert row(globex) == before
    r = client.post(edit_url(globex), form_data(client, globex, bdr_assigned=users["bdr.emea1"].pk))
    assert r.status_code == 302
    assert set(
        Contact.objects.filter(account=globex).values_list("owner__username", flat=True)
    ) == {"bdr.emea1"}  # CONTACT-OWNER


def test_acct_seg_employees_50_to_5000_makes_the_hierarchy_large(client, users):
    umbrella, vandelay = account("Umbrella Labs"), account("Vandelay Industries")
    assert (umbrella.segment, vandelay.segment) == ("SMB", "Mid-Market")
    client.force_login(users["salessupport"])
    r = client.post(edit_url(vandelay), form_data(client, vandelay, parent=umbrella.pk))
    assert r.status_code == 302
    vandelay.refresh_from_db()
    assert vandelay.parent == umbrella and vandelay.ultimate_parent == umbrella
    assert vandelay.segment == "Mid-Market" and not vandelay.first_order_available  # ACCT-CUSTOMER
    client.force_login(users["ae.amer1"])  # Umbrella's owner
    r = client.post(edit_url(umbrella), form_data(client, umbrella, employees="5000"))
    assert r.status_code == 302
    umbrella.refresh_from_db()
    vandelay.refresh_from_db()
    assert (umbrella.segment, vandelay.segment) == ("Large", "Large")
    assert FieldChange.objects.filter(
        object_id=vandelay.pk, field="segment", new_value="Large"
    ).exists()


def test_ref_1_a_new_country_brings_its_region(client, users):
    vandelay = account("Vandelay Industries")  # Australia, APAC
    germany = Country.objects.get(iso2="DE")
    client.force_login(users["salessupport"])
    r = client.post(edit_url(vandelay), form_data(client, vandelay, country=germany.pk))
    assert r.status_code == 302
    vandelay.refresh_from_db()
    assert vandelay.country == germany and vandelay.region == germany.region
    assert FieldChange.objects.filter(object_id=vandelay.pk, field="region").exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"employees": "lots"}, "employees"),
        ({"employees": "-5"}, "employees"),
        ({"parent": "abc"}, "parent"),
        ({"parent": "999999999"}, "parent"),
        ({"parent": "99999999999999999999999"}, "parent"),
        ({"employees": "99999999999999999999999"}, "employees"),
        ({"account_rank": "1.5"}, "account_rank"),
        ({"name": ""}, "name"),
        ({"type": "Competitor"}, "type"),
        ({"total_carr": "1e999"}, "total_carr"),
        ({"bdr_next_step_date": "2027-13-45"}, "bdr_next_step_date"),
        ({"owner": "not-a-user"}, "owner"),
    ],
)
def test_q_safe_bad_input_is_told_under_the_field_and_changes_nothing(
    client, users, changes, field
):
    vandelay = account("Vandelay Industries")
    before = row(vandelay)
    client.force_login(users["salessupport"])
    r = client.post(edit_url(vandelay), form_data(client, vandelay, reason="fix", **changes))
    assert r.status_code == 200 and r.context["form"].errors[field]
    assert row(vandelay) == before


def test_acct_seg_a_parent_inside_its_own_tree_is_told_under_the_field(client, users):
    umbrella, vandelay = account("Umbrella Labs"), account("Vandelay Industries")
    account_update(account=vandelay, by=users["salessupport"], data={"parent": umbrella})
    before = row(umbrella)
    client.force_login(users["salessupport"])
    r = client.post(edit_url(umbrella), form_data(client, umbrella, parent=vandelay.pk))
    assert r.status_code == 200
    assert "ACCT-SEG" in " ".join(r.context["form"].errors["parent"])
    assert row(umbrella) == before


def test_inline_edit_through_htmx_swaps_the_value_cell(client, users):
    globex = account()
    client.force_login(users["bdr.amer1"])
    r = client.get(edit_url(globex, "bdr_next_step"), **HTMX)
    body = r.content.decode()
    assert r.status_code == 200 and "<html" not in body
    assert 'name="bdr_next_step"' in body and 'name="version"' in body
    assert 'name="reason"' not in body
    r = inline_post(client, globex, "bdr_next_step", "Demo on <Friday>")
    body = r.content.decode()
    assert r.status_code == 200 and "<form" not in body
    assert "Demo on &lt;Friday&gt;" in body and "inline-edit-link" in body
    # A field the header shows reloads the page instead (HX-Refresh).
    r = inline_post(client, globex, "bdr_assigned", users["bdr.emea1"].pk)
    assert r.status_code == 204 and r["HX-Refresh"] == "true"
    globex.refresh_from_db()
    assert (
        globex.bdr_next_step == "Demo on <Friday>" and globex.bdr_assigned.username == "bdr.emea1"
    )


def test_edit_without_javascript_is_the_full_form_and_redirects(client, users):
    globex = account()
    client.force_login(users["bdr.amer1"])
    page = client.get(f"/accounts/{globex.pk}/").content.decode()
    assert f'href="/accounts/{globex.pk}/edit/#id_bdr_next_step"' in page  # the pencil
    r = client.post(edit_url(globex), form_data(client, globex, bdr_next_step="Send the deck"))
    assert r.status_code == 302 and r.url == f"/accounts/{globex.pk}/"
    assert account().bdr_next_step == "Send the deck"


@pytest.mark.parametrize(
    "username, shown",
    [
        ("salessupport", True),
        ("bdr.amer1", True),
        ("ae.amer1", True),
        ("salesadmin", True),
        ("ae.emea1", False),
        ("exec", False),
        ("research", False),
    ],
)
def test_account_page_offers_edit_only_with_an_editable_field(
    client, users, username, shown, django_assert_max_num_queries
):
    globex = account()
    client.force_login(users[username])
    client.get(f"/accounts/{globex.pk}/")  # warm the content-type cache
    with django_assert_max_num_queries(9):  # SPEC Q-PERF (9th: transfer requests to decide, #22)
        page = client.get(f"/accounts/{globex.pk}/").content.decode()
    assert (f'href="/accounts/{globex.pk}/edit/"' in page) is shown
    assert ("inline-edit-link" in page) is shown


def test_acct_dup_a_merged_account_is_read_only(client, users):
    survivor, merged = account("Hooli"), account("Vandelay Industries")
    account_merge(survivor=survivor, merged=merged, by=users["salessupport"], reason="dup")
    before = row(merged)
    client.force_login(users["salessupport"])
    assert client.get(edit_url(merged)).status_code == 403
    with pytest.raises(ValidationError, match="ACCT-DUP"):
        account_update(account=merged, by=users["salessupport"], data={"industry": "x"})
    assert row(merged) == before


def test_contract_sales_support_opens_the_vandelay_edit_form(client, users):
    vandelay = account("Vandelay Industries")
    client.force_login(users["salessupport"])
    r = client.get(f"/accounts/{vandelay.pk}/edit/")
    assert r.status_code == 200 and 'name="version"' in r.content.decode()


def test_admin_add_creates_the_account_through_the_service_with_its_team(users):
    """ACCT-SEG: an account added in the admin goes through account_create (its own ultimate
    parent, segment from its employees); the inline team member is saved on the new row and
    the admin goes back to its list."""
    admin = User.objects.create_superuser("root", "root@example.com", "x")
    client = session(admin)
    page = client.get("/admin/accounts/account/add/")
    assert page.status_code == 200
    data = admin_post_data(page)
    data.update(
        {
            "name": "Admin Added Ltd",
            "domain": "admin-added.example",
            "employees": "3000",
            "type": "Prospect",
            "paid_tier": "none",
            "team_members-TOTAL_FORMS": "1",
            "team_members-0-user": users["sdr.amer1"].pk,
            "team_members-0-role": "SDR",
        }
    )
    response = client.post("/admin/accounts/account/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    account = Account.objects.get(name="Admin Added Ltd")
    assert response["Location"] == "/admin/accounts/account/"
    assert account.ultimate_parent_id == account.pk and account.segment == "Large"
    assert list(account.team_members.values_list("user__username", "role")) == [
        ("sdr.amer1", "SDR")
    ]
