"""CONTACT-OWNER: each contact's page shows its account's team — owner, BDR Assigned, CSM and
the people added to the account's team."""

import pytest

from accounts.models import AccountTeamMember

from .factories import AccountFactory, ContactFactory, UserFactory


@pytest.mark.django_db
def test_contact_owner_account_team_on_the_contact_page(client, refdata):
    ae = UserFactory(first_name="Ada", last_name="Owner", roles=["AE"])
    bdr = UserFactory(first_name="Ben", last_name="Bdr", roles=["BDR"])
    csm = UserFactory(first_name="Cid", last_name="Csm", roles=["AE"])
    sdr = UserFactory(first_name="Sue", last_name="Sdr", roles=["SDR"])
    account = AccountFactory(owner=ae, bdr_assigned=bdr, csm=csm)
    AccountTeamMember.objects.create(account=account, user=sdr, role="SDR")
    contact = ContactFactory(account=account, owner=bdr)
    client.force_login(sdr)
    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    team = page[page.index('id="account-team"') :]
    team = team[: team.index("</section>")]
    for role, user in (("Account owner", ae), ("BDR Assigned", bdr), ("CSM", csm), ("SDR", sdr)):
        assert role in team and user.label in team
    # A contact whose account has no BDR or CSM lists only who is there.
    bare = ContactFactory(account=AccountFactory(owner=ae), owner=ae)
    page = client.get(f"/contacts/{bare.pk}/").content.decode()
    team = page[page.index('id="account-team"') :]
    team = team[: team.index("</section>")]
    assert "Account owner" in team and "BDR Assigned" not in team and "CSM" not in team
