"""The columns of the opportunity list and the AE's views (VIEW-4): header, cell and sort key
of each side by side, written by `core.list_rows` (SPEC Q-PERF, Q-SAFE)."""

from django.template.defaultfilters import floatformat

from gtm_portal.core.html import e, local_date
from gtm_portal.core.list_rows import Column, label

OPPORTUNITY_COLUMNS = (
    Column("Name", lambda r, u: f'<a href="{u["opportunity"]}{r.pk}/">{e(r.name)}</a>', "name"),
    Column(
        "Account",
        lambda r, u: f'<a href="{u["account"]}{r.account_id}/">{e(r.account)}</a>',
        "account",
        "d-none d-sm-table-cell",
    ),
    Column(
        "Stage",
        lambda r, u: (
            f'<span class="badge text-bg-secondary text-wrap text-start">{e(r.stage)}</span>'
        ),
        "stage",
    ),
    Column("Close date", lambda r, u: e(local_date(r.close_date, "Y-m-d")), "close", "text-nowrap"),
    Column("IACV", lambda r, u: e(floatformat(r.iacv, "0g")), "iacv", "text-end"),
    Column("Owner", lambda r, u: label(r.owner), "owner", "d-none d-md-table-cell"),
    Column("SDR/BDR", lambda r, u: label(r.sdr_bdr), "", "d-none d-lg-table-cell"),
)
