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
            moment += (f' <span class="text-muted">· '
                       f'{e(local_date(c.last_interesting_moment_at, "M j"))}</span>')
        flags = "".join((
            '<span class="badge text-bg-danger">Hot</span>' if c.is_hot else "",
            '<span class="badge text-bg-dark">DNC</span>' if c.do_not_call else "",
            '<span class="badge text-bg-dark">Opt-out</span>' if c.email_opt_out else ""))
        out.append(
            f'<tr><td><a href="{contact_url.format(c.pk)}">{e(c.name)}</a></td>'
            f'<td><a href="{account_url.format(c.account_id)}">{e(c.account.name)}</a></td>'
            f'<td class="small">{e(c.title)}</td>\n'
            f'    <td><span class="badge text-bg-secondary">{e(c.get_status_display())}</span>'
            f'</td><td class="text-end">{e(c.person_score)}</td>'
            f'<td class="small">{e(c.owner.label) if c.owner else EMPTY}</td>\n'
            f'    <td class="small">{moment}</td>\n'
            f"    <td>{flags}</td></tr>")
    return mark_safe("\n".join(out))  # every value went through e()


def _research(req: dict) -> str:
    if req.get("research_done"):
        return '<span class="badge text-bg-success">done</span>'
    left = req.get("research_days_left")
    if left is not None and left < 0:
        return f'<span class="badge text-bg-danger">overdue {e(left)} d</span>'
    return f'<span class="badge text-bg-warning">{e(left)} days left</span>'


def _enrolled(req: dict) -> str:
    left = req.get("enrolled_days_left")
    if left is None:
        badge = '<span class="badge text-bg-success">done</span>'
    elif left < 0:
        badge = '<span class="badge text-bg-danger">overdue</span>'
    else:
        badge = f'<span class="badge text-bg-warning">{e(left)} days left</span>'
    return f"{e(req.get('enrolled', ''))} / 5 {badge}"


def _idle(req: dict) -> str:
    left = req.get("idle_days_left")
    if left is not None and left < 0:
        return '<span class="badge text-bg-danger">Worked in FY due</span>'
    return f'<span class="badge text-bg-light border">{e(left)} days left</span>'


def account_rows_html(rows, *, view_code: str) -> SafeString:
    if not rows:
        return mark_safe('<tr><td colspan="12" class="text-muted">Nothing in this view.</td></tr>')
    account_url = reverse("accounts:detail", args=[0]).replace("/0/", "/{}/", 1)
    out = []
    for a in rows:
        name = e(a.name)
        status = (f'<span class="badge text-bg-info">{e(a.bdr_prospecting_status)}</span>'
                  if a.bdr_prospecting_status else "")
        row = (f'<tr><td><input class="form-check-input" type="checkbox" name="ids" '
               f'value="{a.pk}" form="bulk-form" aria-label="Select {name}"></td>'
               f'<td><a href="{account_url.format(a.pk)}">{name}</a></td>'
               f'<td class="small">{e(a.domain)}</td><td>{e(a.segment)}</td>'
               f'<td class="small">{e(a.type)}</td>\n'
               f"    <td>{status}</td>"
               f'<td class="small">{e(a.owner.label) if a.owner else EMPTY}</td>'
               f'<td class="small">{e(a.bdr_assigned.label) if a.bdr_assigned else EMPTY}</td>'
               "\n    ")
        if view_code == "B3":
            req = a.requirements
            row += (f'<td class="small">{e(local_date(a.actively_working_since, "Y-m-d"))}</td>'
                    f"\n      <td>{_research(req)}</td>\n      <td>{_enrolled(req)}</td>"
                    f"\n      <td>{_idle(req)}</td>")
        out.append(row + "</tr>")
    return mark_safe("\n".join(out))  # every value went through e()
