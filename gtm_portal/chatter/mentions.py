"""CHAT-2 mention parsing (pure): `@username` and the group handles."""

import re

from gtm_portal.users import roles

GROUP_HANDLES = {
    "mktgops-support": roles.MARKETING_OPS,
    "sales-support": roles.SALES_SUPPORT,
    "sdr-managers": roles.SDR_MANAGER,
    "bdr-managers": roles.BDR_MANAGER,
}

# A handle starts after a non-word character (so e-mail addresses are not mentions) and may
# hold dots (sdr.emea1); a trailing dot is sentence punctuation, not part of the handle.
MENTION_RE = re.compile(r"(?<![\w@.])@([A-Za-z0-9_][A-Za-z0-9_.+-]*)")


def handles_in(body: str) -> list[str]:
    seen: list[str] = []
    for match in MENTION_RE.finditer(body or ""):
        handle = match.group(1).rstrip(".").lower()
        if handle and handle not in seen:
            seen.append(handle)
    return seen
