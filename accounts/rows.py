"""The rows of the contact views (VIEW-2) and account views (VIEW-3), written in Python like
the lead views' (leads/rows.py; SPEC Q-PERF): the same markup the templates wrote, every
value escaped (Q-SAFE)."""

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from gtm_portal.core.html import EMPTY, e, local_date


def contact_rows_html(rows) -> SafeString:
    if not rows:
        return mark_safe('<tr><td colspan="8" class="text-muted">Nothing in this view.</td></tr>')
    account_url = reverse("accounts:detail", args=[0]).replace("/0/", "/{}/", 1)
    contact_url = reverse("contacts:detail", args=[0]).replace("/0/", "/{}/", 1)
    out = []
    for c in rows:
        moment = e(c.last_interesting_moment)
        if c.last_interesting_moment_at:
            moment += (
                f' <span class="text-muted">· '
                f"{e(local_date(c.last_interesting_moment_at, 'M j'))}</span>"
            )
        flags = "".join(
            (
                '<span class="badge text-bg-danger">Hot</span>' if c.is_hot else "",
                '<span class="badge text-bg-dark">DNC</span>' if c.do_not_call else "",
                '<span class="badge text-bg-dark">Opt-out</span>' if c.email_opt_out else "",
            )
        )
        out.append(
            f'<tr><td><a href="{contact_url.format(c.pk)}">{e(c.name)}</a></td>'
            f'<td><a href="{account_url.format(c.account_id)}">{e(c.account.name)}</a></td>'
            f'<td class="small">{e(c.title)}</td>\n'
            f'    <td><span class="badge text-bg-secondary">{e(c.get_status_display())}</span>'
            f'</td><td class="text-end">{e(c.person_score)}</td>'
            f'<td class="small">{e(c.owner.label) if c.owner else EMPTY}</td>\n'
            f'    <td class="small">{moment}</td>\n'
            f"    <td>{flags}</td></tr>"
        )
    return mark_safe("\n".join(out))  # every value went through e()


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


def account_rows_html(rows, *, view_code: str) -> SafeString:
    if not rows:
        return mark_safe('<tr><td colspan="12" class="text-muted">Nothing in this view.</td></tr>')
    account_url = reverse("accounts:detail", args=[0]).replace("/0/", "/{}/", 1)
    out = []
    for a in rows:
        name = e(a.name)
        status = (
            f'<span class="badge text-bg-info">{e(a.bdr_prospecting_status)}</span>'
            if a.bdr_prospecting_status
            else ""
        )
        row = (
            f'<tr><td><input class="form-check-input" type="checkbox" name="ids" '
            f'value="{a.pk}" form="bulk-form" aria-label="Select {name}"></td>'
            f'<td><a href="{account_url.format(a.pk)}">{name}</a></td>'
            f'<td class="small">{e(a.domain)}</td><td>{e(a.segment)}</td>'
            f'<td class="small">{e(a.type)}</td>\n'
            f"    <td>{status}</td>"
            f'<td class="small">{e(a.owner.label) if a.owner else EMPTY}</td>'
            f'<td class="small">{e(a.bdr_assigned.label) if a.bdr_assigned else EMPTY}</td>'
            "\n    "
        )
        if view_code == "B3":
            req = a.requirements
            row += (
                f'<td class="small">{e(local_date(a.actively_working_since, "Y-m-d"))}</td>'
                f"\n      <td>{days_left_badge(req.get('research_days_left'))}</td>"
                f"\n      <td>{e(req.get('enrolled', ''))} / 5 "
                f"{days_left_badge(req.get('enrolled_days_left'))}</td>"
                f"\n      <td>{idle_badge(req.get('idle_days_left'))}</td>"
            )
        out.append(row + "</tr>")
    return mark_safe("\n".join(out))  # every value went through e()
