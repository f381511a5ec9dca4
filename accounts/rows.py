"""The columns of the contact and account lists and of the contact views (VIEW-2) and account
views (VIEW-3): header and cell side by side, written in Python by `core.list_rows` like the
lead views' (leads/rows.py; SPEC Q-PERF), every value escaped (Q-SAFE)."""

from django.utils.safestring import SafeString, mark_safe

from gtm_portal.core.html import e, local_date
from gtm_portal.core.list_rows import Column, label, select_column

# /contacts/ and /accounts/: what a row reads (`select_labels(..., fields=...)`) and its columns.
CONTACT_LIST_FIELDS = (
    "first_name",
    "last_name",
    "account",
    "title",
    "status",
    "person_score",
    "owner",
    "initial_source",
)
ACCOUNT_LIST_FIELDS = (
    "name",
    "domain",
    "segment",
    "type",
    "bdr_prospecting_status",
    "owner",
    "bdr_assigned",
)


def _contact(r, u) -> str:
    return f'<a href="{u["contact"]}{r.pk}/">{e(r.name)}</a>'


def _account_of(r, u) -> str:
    return f'<a href="{u["account"]}{r.account_id}/">{e(r.account)}</a>'


def _account(r, u) -> str:
    return f'<a href="{u["account"]}{r.pk}/">{e(r.name)}</a>'


def _status(r, u) -> str:
    return f'<span class="badge text-bg-secondary">{e(r.get_status_display())}</span>'


CONTACT_LIST_COLUMNS = (
    Column("Name", _contact),
    Column("Account", _account_of),
    Column("Title", lambda r, u: e(r.title)),
    Column("Status", _status),
    Column("Score", lambda r, u: e(r.person_score), css="text-end"),
    Column("Owner", lambda r, u: label(r.owner)),
    Column("Initial source", lambda r, u: e(r.initial_source)),
)
ACCOUNT_LIST_COLUMNS = (
    Column("Name", _account),
    Column("Domain", lambda r, u: e(r.domain)),
    Column("Segment", lambda r, u: e(r.segment)),
    Column("Type", lambda r, u: e(r.type)),
    Column("BDR status", lambda r, u: e(r.get_bdr_prospecting_status_display())),
    Column("Owner", lambda r, u: label(r.owner)),
    Column("BDR Assigned", lambda r, u: label(r.bdr_assigned)),
)


def _moment(c, u) -> str:
    moment = e(c.last_interesting_moment)
    if c.last_interesting_moment_at:
        moment += (
            f' <span class="text-muted">· '
            f"{e(local_date(c.last_interesting_moment_at, 'M j'))}</span>"
        )
    return moment


def _contact_flags(c, u) -> str:
    return "".join(
        (
            '<span class="badge text-bg-danger">Hot</span>' if c.is_hot else "",
            '<span class="badge text-bg-dark">DNC</span>' if c.do_not_call else "",
            '<span class="badge text-bg-dark">Opt-out</span>' if c.email_opt_out else "",
        )
    )


CONTACT_VIEW_COLUMNS = (
    select_column(),  # VIEW-5
    Column("Name", _contact, "name"),
    Column("Account", _account_of),
    Column("Title", lambda r, u: e(r.title), css="small"),
    Column("Status", _status, "status"),
    Column("Score", lambda r, u: e(r.person_score), "score", "text-end", True),
    Column("Owner", lambda r, u: label(r.owner), css="small"),
    Column("Last interesting moment", _moment, "moment", "small", True),
    Column("Flags", _contact_flags),
)


def days_left_badge(
    days: int | None, *, warn_within: int = 3, overdue: str | None = None
) -> SafeString:
    """ACCT-BPS 3/4: the badge of a deadline's days left — done (None), overdue (negative;
    `overdue` says what then happens), warning within `warn_within` days, else plain. The
    account page (templatetag `days_left`) and account view B3 both write it here."""
    if days is None:
        return mark_safe('<span class="badge text-bg-success">done</span>')
    if days < 0:
        return mark_safe(
            f'<span class="badge text-bg-danger">{e(overdue or f"overdue {days} d")}</span>'
        )
    css = "text-bg-warning" if days <= warn_within else "text-bg-light border"
    return mark_safe(f'<span class="badge {css}">{days} day{"" if days == 1 else "s"} left</span>')


def idle_badge(days: int | None) -> SafeString:
    """ACCT-BPS 4: 30 days without sequence activity make the account Worked in FY."""
    if days is None:  # no Actively Working stamp: no deadline
        return mark_safe("")
    return days_left_badge(days, warn_within=5, overdue="Worked in FY due")


def _bps(a, u) -> str:
    if not a.bdr_prospecting_status:
        return ""
    return f'<span class="badge text-bg-info">{e(a.bdr_prospecting_status)}</span>'


ACCOUNT_VIEW_COLUMNS = (
    select_column(),
    Column("Account", _account, "name"),
    Column("Domain", lambda r, u: e(r.domain), css="small"),
    Column("Segment", lambda r, u: e(r.segment), "segment"),
    Column("Type", lambda r, u: e(r.type), css="small"),
    Column("BDR status", _bps),
    Column("Owner", lambda r, u: label(r.owner), css="small"),
    Column("BDR Assigned", lambda r, u: label(r.bdr_assigned), css="small"),
)
# B3 (ACCT-BPS 3/4): the Actively Working accounts' deadlines, from `account_deadlines`.
B3_COLUMNS = (
    Column(
        "Actively Working since",
        lambda r, u: e(local_date(r.actively_working_since, "Y-m-d")),
        "since",
        "small",
    ),
    Column(
        "10-day research", lambda r, u: days_left_badge(r.requirements.get("research_days_left"))
    ),
    Column(
        "15-day: 5 people enrolled",
        lambda r, u: (
            f"{e(r.requirements.get('enrolled', ''))} / 5 "
            f"{days_left_badge(r.requirements.get('enrolled_days_left'))}"
        ),
    ),
    Column(
        "30-day: sequence activity", lambda r, u: idle_badge(r.requirements.get("idle_days_left"))
    ),
)


def account_view_columns(view_code: str) -> tuple[Column, ...]:
    return ACCOUNT_VIEW_COLUMNS + (B3_COLUMNS if view_code == "B3" else ())
