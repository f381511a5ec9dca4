"""Record page helpers (SPEC Q-PERF: a record page's forty field rows written in Python)."""

import re

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import normalize_newlines

from gtm_portal.core.business_time import sla_state
from gtm_portal.core.html import EMPTY, e

register = template.Library()


MAIL_FIELDS = frozenset({"email"})
PHONE_FIELDS = frozenset({"phone", "mobile"})


def _contact_link(f) -> str | None:
    """E-mail and phone values as mailto:/tel: links (UX record page: one click to write or
    call); None for every other field."""
    if not f.value:
        return None
    if f.name in MAIL_FIELDS:
        return f'<a href="mailto:{e(f.value)}">{e(f.value)}</a>'
    if f.name in PHONE_FIELDS:
        dial = "".join(ch for ch in str(f.value) if ch in "0123456789+")
        return f'<a href="tel:{e(dial)}">{e(f.value)}</a>' if dial else None
    return None


def field_cell(f) -> str:
    """The inside of one field's value cell: the value (a link when it points at a record;
    empty as a dash, line breaks kept, escaped) and, when the user may edit it, the pencil
    that opens the inline editor (HTMX) or, without JavaScript, the edit form at the field."""
    if f.url:
        value = f'<a href="{e(f.url)}">{e(f.value)}</a>'
    elif (link := _contact_link(f)) is not None:
        value = link
    else:
        value = e(normalize_newlines(str(f.value or EMPTY))).replace("\n", "<br>")
    if not f.edit_url:
        return value
    return (
        f'<span class="field-value">{value}</span> '
        f'<a class="inline-edit-link" href="{e(f.edit_url)}#id_{e(f.name)}" '
        f'hx-get="{e(f.edit_url)}?field={e(f.name)}" hx-target="closest td" '
        f'hx-swap="innerHTML" title="Edit {e(f.label)}" aria-label="Edit {e(f.label)}">'
        '<i class="bi bi-pencil" aria-hidden="true"></i></a>'
    )


@register.filter
def field_sections(sections) -> str:
    """The record's fields in sections, as `records/partials/fields.html` wrote them."""
    out = []
    for number, (title, rows) in enumerate(sections, start=1):
        cells = []
        for f in rows:
            editable = f' class="inline-editable" data-field="{e(f.name)}"' if f.edit_url else ""
            cells.append(
                f'<tr><th scope="row">{e(f.label)}</th><td{editable}>{field_cell(f)}</td></tr>'
            )
        out.append(
            f'<section class="card mb-3" aria-labelledby="sec-{number}">\n'
            f'  <div class="card-header py-1"><h2 class="h6 mb-0" id="sec-{number}">'
            f"{e(title)}</h2></div>\n"
            f'  <table class="table table-sm field-table mb-0"><tbody>\n    {"".join(cells)}\n'
            f"  </tbody></table>\n</section>"
        )
    return mark_safe("\n".join(out))  # every value went through e()


# "LEAD-STATUS 7: …", "SEQ-3 / LEAD-OPTOUT-1: …": a refusal's rule IDs before its words.
RULE_PREFIX = re.compile(
    r"^((?:[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*(?: \d+)?)(?: / [A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*(?: \d+)?)*): (.+)$",
    re.S,
)


@register.filter
def words_first(message) -> str:
    """A refusal as a rep reads it (UX): the words first, the rule ID small after them."""
    text = str(message)
    m = RULE_PREFIX.match(text)
    if m is None:
        return e(text)
    words = m.group(2)
    return mark_safe(  # both parts went through e()
        f'{e(words[:1].upper() + words[1:])} <small class="text-body-secondary rule-id">'
        f"{e(m.group(1))}</small>"
    )


def duration_words(seconds: float) -> str:
    """A duration as a rep reads it: "45 min", "3 h 20 min", "2 d 4 h"."""
    minutes = max(int(seconds // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


@register.inclusion_tag("records/partials/_sla.html")
def sla_clock(person, now=None):
    """ROUTE-4 on a record page: the time left to the SLA deadline (amber under 15 minutes,
    red once past, counting on in the page: portal.js), or — once the owner's first touch
    stopped the clock — whether it was met."""
    due, touched = person.sla_due, person.first_touch_at
    if not due:
        return {"state": ""}
    if touched:
        state, words = (
            ("met", "")
            if touched <= due
            else ("missed", duration_words((touched - due).total_seconds()))
        )
        return {"state": state, "due": due, "touched": touched, "words": words}
    now = now or timezone.now()
    words = duration_words(abs((due - now).total_seconds()))
    return {"state": sla_state(due, now), "due": due, "words": words}
