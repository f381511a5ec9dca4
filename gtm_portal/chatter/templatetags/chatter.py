"""CHAT-1 rendering: comment bodies are plain text — escaped first, then only http(s) links,
portal record paths and known @mentions are marked up. Nothing from the user is HTML."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..mentions import MENTION_RE

register = template.Library()

LINK_RE = re.compile(
    r"(?P<url>https?://[^\s<>\"']+[^\s<>\"'.,;:!?)])"
    r"|(?P<path>(?<![\w/])/(?:leads|contacts|accounts|opportunities)/\d+/)"
)


@register.filter
def comment_html(comment) -> str:
    handles = {h.lower() for h in comment.mention_handles or ()}
    text = escape(comment.body)

    def link(match):
        target = match.group("url") or match.group("path")
        return f'<a href="{target}" rel="nofollow noopener noreferrer">{target}</a>'

    text = LINK_RE.sub(link, text)

    def mention(match):
        handle = "@" + match.group(1).rstrip(".").lower()
        if handle not in handles:
            return match.group(0)
        tail = match.group(0)[len(handle) :]
        return f'<span class="mention">{match.group(0)[: len(handle)]}</span>{tail}'

    text = MENTION_RE.sub(mention, text)
    return mark_safe(text)
