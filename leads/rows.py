"""The rows of a lead view (VIEW-1), written in Python.

A lead view is the page SDRs and BDRs live on; its 50–200 rows each carry a dozen cells and
three small forms (log a call, log an e-mail, enroll). Through the template engine that was
~2,000 variable lookups and 50 includes a page — most of the page's server time (SPEC
Q-PERF: p95 ≤ 50 ms). Here every value still goes through `format_html` (escaped; Q-SAFE),
and dates are shown in the user's time zone as the template's `date` filter showed them."""
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

_EMPTY = "—"


def _date(value, fmt: str) -> str:
    return dateformat.format(timezone.localtime(value), fmt) if value else ""


def _flags(r, view_code: str) -> SafeString:
    parts = []
    if r.high_touch:
        parts.append('<span class="badge text-bg-info" title="LEAD-HT-1 high-touch quality">'
                     "High touch</span>")
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


def _sla(r) -> SafeString:
    if not r.sla_due:
        return mark_safe(_EMPTY)
    css = {"past": "badge text-bg-danger", "soon": "badge text-bg-warning"}.get(r.sla_state, "")
    return format_html('<span class="{}">{}{}</span>', css,
                       "overdue " if r.sla_state == "past" else "", _date(r.sla_due, "M j H:i"))


def _moment(r) -> SafeString:
    if not r.last_interesting_moment_at:
        return format_html("{}", r.last_interesting_moment)
    return format_html('{} <span class="text-muted">· {}</span>', r.last_interesting_moment,
                       _date(r.last_interesting_moment_at, "M j"))


def _log_form(r, kind: str, subject: str, label: str, icon: str, csrf_input, full_path):
    return format_html(
        '<form method="post" action="{url}" hx-post="{url}" hx-target="#result-{pk}" '
        'hx-swap="innerHTML">{csrf}\n'
        '    <input type="hidden" name="kind" value="{kind}"><input type="hidden" '
        'name="subject" value="{subject}">\n'
        '    <input type="hidden" name="next" value="{next}">\n'
        '    <button class="btn btn-sm btn-outline-secondary py-0" type="submit" '
        'aria-label="{label} {name}"><i class="bi bi-{icon}" aria-hidden="true"></i> '
        '{button}</button>\n  </form>',
        url=r.activity_url, pk=r.pk, csrf=csrf_input, kind=kind, subject=subject,
        next=full_path, label=label, name=r.name, icon=icon,
        button="Log call" if kind == "call" else "Log e-mail")


def row_actions(r, *, csrf_input, full_path, sequence_options) -> SafeString:
    """Row actions: log an activity (ACT-1) and enroll (SEQ-2). HTMX swaps the status line;
    without JavaScript the forms post and come back. No call action under Do Not Call."""
    call = ("" if r.do_not_call else
            _log_form(r, "call", "Call", "Log call with", "telephone", csrf_input, full_path))
    email = _log_form(r, "email", "E-mail", "Log e-mail to", "envelope", csrf_input, full_path)
    enroll = format_html(
        '<form method="post" action="{url}" hx-post="{url}" hx-target="#result-{pk}" '
        'hx-swap="innerHTML" class="d-flex gap-1">{csrf}\n'
        '    <input type="hidden" name="next" value="{next}">\n'
        '    <label class="visually-hidden" for="seq-{pk}">Sequence for {name}</label>\n'
        '    <select id="seq-{pk}" name="sequence" class="form-select form-select-sm py-0" '
        'style="max-width: 12rem">{options}</select>\n'
        '    <button class="btn btn-sm btn-outline-primary py-0" type="submit" '
        'aria-label="Enroll {name}">Enroll</button>\n  </form>',
        url=r.enroll_url, pk=r.pk, csrf=csrf_input, next=full_path, name=r.name,
        options=sequence_options)
    return format_html(
        '<div class="d-flex flex-wrap gap-1 align-items-center row-actions" id="actions-{pk}">'
        '\n  {call}\n  {email}\n  {enroll}\n  <span id="result-{pk}" aria-live="polite"></span>'
        "\n</div>", pk=r.pk, call=call, email=email, enroll=enroll)


def lead_rows_html(rows, *, view_code: str, csrf_input, full_path: str,
                   sequence_options) -> SafeString:
    """The table body rows of a lead view (the rows come decorated by `lead_view`)."""
    if not rows:
        waiting = " No MQLs waiting." if view_code in ("S1", "B1") else ""
        return format_html('<tr><td colspan="11" class="text-muted">Nothing in this view.{}'
                           "</td></tr>", waiting)
    return format_html_join("\n", (
        '<tr>\n    <td><input class="form-check-input" type="checkbox" name="ids" value="{}" '
        'form="bulk-form" aria-label="Select {}"></td>\n'
        '    <td><a href="{}">{}</a></td>\n    <td>{}</td>\n    <td class="small">{}</td>\n'
        '    <td><span class="badge text-bg-secondary">{}</span></td>\n'
        '    <td class="text-end">{}</td>\n    <td class="small">{}</td>\n'
        '    <td class="small text-nowrap">{}</td>\n    <td class="small">{}</td>\n'
        '    <td class="small text-nowrap">{}</td>\n    <td>{}</td>\n  </tr>'), (
        (r.pk, r.name, r.url, r.name, r.company, r.title, r.get_status_display(),
         r.person_score, r.owner.label if r.owner else _EMPTY, _sla(r), _moment(r),
         _flags(r, view_code),
         row_actions(r, csrf_input=csrf_input, full_path=full_path,
                     sequence_options=sequence_options))
        for r in rows))
