"""Small helpers the page tests share: a logged-in client, and an admin change form as the
browser would post it back."""

import re

from django.test import Client


def session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def admin_post_data(response) -> dict:
    """What the admin change form posts as rendered: its fields, its inline formsets and the
    version it was opened at (Q-CONC)."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(
            {f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()}
        )
        forms += list(formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None and value is not False:
                data[form.add_prefix(name)] = "on" if value is True else value
    seen = re.search(r'name="_seen_version" value="(\d+)"', response.content.decode())
    if seen:
        data["_seen_version"] = seen.group(1)
    return data
