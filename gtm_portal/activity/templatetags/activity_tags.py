from django import template

from ..enums import OUTCOMES_FOR, TWO_WAY_OUTCOMES

register = template.Library()


@register.inclusion_tag("partials/_log_dialog.html", takes_context=True)
def log_dialog(context):
    """The log dialog (UX: small writes open small dialogs) — one a page, opened by any
    `form[data-log-dialog]` (portal.js); the outcomes each kind offers, the default first."""
    return {
        "csrf_token": context.get("csrf_token"),
        "outcomes": [
            (kind, outcome.value, outcome.label, outcome in TWO_WAY_OUTCOMES)
            for kind, outcomes in OUTCOMES_FOR.items()
            for outcome in outcomes
        ],
    }
