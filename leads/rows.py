"""The columns of the lead list and the lead views (VIEW-1), header and cell side by side,
written in Python by `core.list_rows`.

A lead view is the page SDRs and BDRs live on; its 50–200 rows each carry a dozen cells and
three small forms (log a call, log an e-mail, enroll). Through the template engine that was
~2,000 variable lookups and 50 includes a page — most of the page's server time (SPEC
Q-PERF: p95 ≤ 50 ms). Here every value is escaped by `_e` (what the template's autoescape
does; Q-SAFE), and dates are shown in the user's time zone as the `date` filter showed them.
f-strings rather than `format_html`: with 50–200 rows of 30 values, `format_html`'s lazy-text
checks cost as much as the template did."""

from django.utils.safestring import SafeString, mark_safe

from gtm_portal.core.html import EMPTY as _EMPTY
from gtm_portal.core.html import e as _e
from gtm_portal.core.html import local_date
from gtm_portal.core.list_rows import Column, label, select_column, table_rows_html

# /leads/: what a row reads (for `select_labels(..., fields=...)`) and its columns.
LIST_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "title",
    "status",
    "person_score",
    "owner",
    "initial_source",
)


def _name(r, u) -> str:
    return f'<a href="{u["lead"]}{r.pk}/">{_e(r.name)}</a>'


def _status(r, u) -> str:
    return f'<span class="badge text-bg-secondary">{_e(r.get_status_display())}</span>'


LIST_COLUMNS = (
    Column("Name", _name),
    Column("Company", lambda r, u: _e(r.company)),
    Column("Title", lambda r, u: _e(r.title)),
    Column("Status", _status),
    Column("Score", lambda r, u: _e(r.person_score), css="text-end"),
    Column("Owner", lambda r, u: label(r.owner)),
    Column("Initial source", lambda r, u: _e(r.initial_source)),
)


def _flags(r, view_code: str) -> SafeString:
    parts = []
    if r.high_touch:
        parts.append(
            '<span class="badge text-bg-info" title="LEAD-HT-1 high-touch quality">'
            "High touch</span>"
        )
    if r.is_hot:
        parts.append('<span class="badge text-bg-danger">Hot</span>')
    if r.do_not_call:
        parts.append('<span class="badge text-bg-dark" title="Do Not Call">DNC</span>')
    if r.email_opt_out:
        parts.append('<span class="badge text-bg-dark" title="E-mail opt-out">Opt-out</span>')
    if view_code == "S3":
        if not r.recent_activity:
            parts.append('<span class="badge text-bg-warning">no activity 14 d</span>')
        if not r.open_task:
            parts.append('<span class="badge text-bg-warning">no open task</span>')
        if not r.in_sequence:
            parts.append('<span class="badge text-bg-warning">no sequence</span>')
    return mark_safe("\n".join(parts))  # fixed markup only


def _sla(r) -> str:
    if not r.sla_due:
        return _EMPTY
    css = {"past": "badge text-bg-danger", "soon": "badge text-bg-warning"}.get(r.sla_state, "")
    overdue = "overdue " if r.sla_state == "past" else ""
    return f'<span class="{css}">{overdue}{_e(local_date(r.sla_due, "M j H:i"))}</span>'


def _moment(r) -> str:
    if not r.last_interesting_moment_at:
        return _e(r.last_interesting_moment)
    return (
        f'{_e(r.last_interesting_moment)} <span class="text-muted">· '
        f"{_e(local_date(r.last_interesting_moment_at, 'M j'))}</span>"
    )


def _log_form(r, kind: str, subject: str, aria: str, icon: str, csrf: str, next_: str) -> str:
    """Log a call or an e-mail: with JavaScript it opens the log dialog (subject, outcome,
    notes, follow-up task; `partials/_log_dialog.html`), without it the form posts as is."""
    url = _e(r.activity_url)
    button = "Log call" if kind == "call" else "Log e-mail"
    return (
        f'<form method="post" action="{url}" data-log-dialog data-person="{_e(r.name)}" '
        f'data-result="#result-{r.pk}">{csrf}\n'
        f'    <input type="hidden" name="kind" value="{kind}"><input type="hidden" '
        f'name="subject" value="{subject}">\n'
        f'    <input type="hidden" name="next" value="{next_}">\n'
        f'    <button class="btn btn-sm btn-outline-secondary py-0" type="submit" '
        f'aria-label="{aria} {_e(r.name)}"><i class="bi bi-{icon}" aria-hidden="true"></i> '
        f"{button}</button>\n  </form>"
    )


def row_actions(r, *, csrf_input, full_path, sequence_options) -> SafeString:
    """Row actions in one menu (UX lists: one control a row, not four): log an activity
    (ACT-1) and enroll (SEQ-2). HTMX swaps the status line beside the menu; without
    JavaScript the menu still opens (details) and the forms post and come back. No call
    action under Do Not Call."""
    csrf, next_ = _e(csrf_input), _e(full_path)
    call = (
        ""
        if r.do_not_call
        else _log_form(r, "call", "Call", "Log call with", "telephone", csrf, next_)
    )
    email = _log_form(r, "email", "E-mail", "Log e-mail to", "envelope", csrf, next_)
    url, name, pk = _e(r.enroll_url), _e(r.name), r.pk
    enroll = (
        f'<form method="post" action="{url}" hx-post="{url}" hx-target="#result-{pk}" '
        f'hx-swap="innerHTML" class="d-flex gap-1">{csrf}\n'
        f'    <input type="hidden" name="next" value="{next_}">\n'
        f'    <label class="visually-hidden" for="seq-{pk}">Sequence for {name}</label>\n'
        f'    <select id="seq-{pk}" name="sequence" class="form-select form-select-sm py-0" '
        f'style="max-width: 12rem">{_e(sequence_options)}</select>\n'
        f'    <button class="btn btn-sm btn-outline-primary py-0" type="submit" '
        f'aria-label="Enroll {name}">Enroll</button>\n  </form>'
    )
    return mark_safe(  # every value above went through _e
        f'<div class="d-flex gap-1 align-items-center row-actions" id="actions-{pk}">\n'
        f'  <details class="action-menu row-menu"><summary class="btn btn-sm '
        f'btn-outline-secondary py-0 px-2" aria-label="Actions for {name}" title="Actions">'
        '<i class="bi bi-three-dots" aria-hidden="true"></i></summary>\n'
        '  <div class="card card-body p-2 shadow-sm d-flex flex-column gap-2">\n'
        f"  {call}\n  {email}\n  {enroll}\n  </div></details>\n"
        f'  <span id="result-{pk}" class="small" aria-live="polite"></span>\n</div>'
    )


def view_columns(
    view_code: str, *, csrf_input, full_path: str, sequence_options
) -> tuple[Column, ...]:
    """A lead view's columns (the rows come decorated by `lead_view`: url, SLA state, flags)."""
    return (
        select_column(),
        Column("Name", lambda r, u: f'<a href="{_e(r.url)}">{_e(r.name)}</a>', "name"),
        Column("Company", lambda r, u: _e(r.company), "company"),
        Column("Title", lambda r, u: _e(r.title), css="small"),
        Column("Status", _status, "status"),
        Column("Score", lambda r, u: _e(r.person_score), "score", "text-end", True),
        Column("Owner", lambda r, u: label(r.owner), css="small"),
        Column("SLA due", lambda r, u: _sla(r), "sla", "small text-nowrap"),
        Column("Last interesting moment", lambda r, u: _moment(r), "moment", "small", True),
        Column("Flags", lambda r, u: _flags(r, view_code), css="small text-nowrap"),
        Column(
            "Actions",
            lambda r, u: row_actions(
                r, csrf_input=csrf_input, full_path=full_path, sequence_options=sequence_options
            ),
        ),
    )


def view_rows_html(rows, columns, *, view_code: str) -> SafeString:
    """The table body of a lead view; S1 and B1 say so when no MQL waits."""
    waiting = " No MQLs waiting." if view_code in ("S1", "B1") else ""
    return table_rows_html(columns, rows, empty=f"Nothing in this view.{waiting}")
