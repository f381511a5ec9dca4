"""The rows of the record lists (/leads/, /contacts/, /accounts/, /opportunities/), written in
Python like the workspace views' rows (SPEC Q-PERF: at 200 rows a page the template engine
was most of the page's server time). Each kind names the columns its rows read (`FIELDS`,
for `select_labels(..., fields=...)`) and writes the cells its template wrote, escaped the
same way (Q-SAFE)."""
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from .html import EMPTY, e, local_date

FIELDS = {
    "lead": ("first_name", "last_name", "company", "title", "status", "person_score", "owner",
             "initial_source"),
    "contact": ("first_name", "last_name", "account", "title", "status", "person_score",
                "owner", "initial_source"),
    "account": ("name", "domain", "segment", "type", "bdr_prospecting_status", "owner",
                "bdr_assigned"),
    "opportunity": ("name", "account", "stage", "close_date", "iacv", "owner", "sdr_bdr"),
}
DETAIL_URL = {"lead": "leads:detail", "contact": "contacts:detail",
              "account": "accounts:detail", "opportunity": "opportunities:detail"}


def _label(user) -> str:
    return e(user.label) if user is not None else EMPTY


def _prefix(name: str) -> str:
    """The detail URL with the id left off (reversed once per page, not once per row)."""
    return reverse(name, args=[0])[:-2]


def _person(r, url: str, second: str) -> str:
    return (f'<tr><td><a href="{url}{r.pk}/">{e(r.name)}</a></td><td>{second}</td>'
            f"<td>{e(r.title)}</td><td><span class=\"badge text-bg-secondary\">"
            f"{e(r.get_status_display())}</span></td><td>{e(r.person_score)}</td>"
            f"<td>{_label(r.owner)}</td><td>{e(r.initial_source)}</td></tr>")


def _lead(r, urls) -> str:
    return _person(r, urls["lead"], e(r.company))


def _contact(r, urls) -> str:
    return _person(r, urls["contact"],
                   f'<a href="{urls["account"]}{r.account_id}/">{e(r.account)}</a>')


def _account(r, urls) -> str:
    return (f'<tr><td><a href="{urls["account"]}{r.pk}/">{e(r.name)}</a></td>'
            f"<td>{e(r.domain)}</td><td>{e(r.segment)}</td><td>{e(r.type)}</td>"
            f"<td>{e(r.get_bdr_prospecting_status_display())}</td><td>{_label(r.owner)}</td>"
            f"<td>{_label(r.bdr_assigned)}</td></tr>")


def _opportunity(r, urls) -> str:
    return (f'<tr><td><a href="{urls["opportunity"]}{r.pk}/">{e(r.name)}</a></td>'
            f'<td><a href="{urls["account"]}{r.account_id}/">{e(r.account)}</a></td>'
            f'<td><span class="badge text-bg-secondary">{e(r.stage)}</span></td>'
            f'<td>{e(local_date(r.close_date, "Y-m-d"))}</td>'
            f'<td>{e(floatformat(r.iacv, "0g"))}</td>'
            f"<td>{e(r.owner.label) if r.owner is not None else ''}</td>"
            f"<td>{_label(r.sdr_bdr)}</td></tr>")


ROW = {"lead": _lead, "contact": _contact, "account": _account, "opportunity": _opportunity}


def list_rows_html(kind: str, rows, columns) -> SafeString:
    """The table body of a record list: one row per record, or the empty-list line."""
    if not rows:
        return mark_safe(f'\n<tr><td colspan="{len(columns)}" class="text-muted">'
                         "No records.</td></tr>")
    urls = {k: _prefix(name) for k, name in DETAIL_URL.items()}
    write = ROW[kind]
    return mark_safe("".join([write(r, urls) for r in rows]))  # every value went through e()
