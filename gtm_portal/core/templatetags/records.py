"""Record page helpers (SPEC Q-PERF: a record page's forty field rows written in Python)."""
from django import template
from django.utils.safestring import mark_safe
from django.utils.text import normalize_newlines

from gtm_portal.core.html import EMPTY, e

register = template.Library()


@register.filter
def field_sections(sections) -> str:
    """The record's fields in sections: label and value (a link when the field points at a
    record), as `records/partials/fields.html` wrote them — empty values as a dash, line
    breaks kept, everything escaped."""
    out = []
    for number, (title, rows) in enumerate(sections, start=1):
        cells = []
        for f in rows:
            if f.url:
                value = f'<a href="{e(f.url)}">{e(f.value)}</a>'
            else:
                value = e(normalize_newlines(str(f.value or EMPTY))).replace("\n", "<br>")
            cells.append(f'<tr><th scope="row">{e(f.label)}</th><td>{value}</td></tr>')
        out.append(
            f'<section class="card mb-3" aria-labelledby="sec-{number}">\n'
            f'  <div class="card-header py-1"><h2 class="h6 mb-0" id="sec-{number}">'
            f"{e(title)}</h2></div>\n"
            f'  <table class="table table-sm field-table mb-0"><tbody>\n    {"".join(cells)}\n'
            f"  </tbody></table>\n</section>")
    return mark_safe("\n".join(out))  # every value went through e()
