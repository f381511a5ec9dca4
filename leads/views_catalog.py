"""The lead and contact views (VIEW-1, VIEW-2): code → title, queryset method, default sort."""

from dataclasses import dataclass

from gtm_portal.users import roles


@dataclass(frozen=True)
class ViewDef:
    code: str
    title: str
    method: str
    sort: str  # default sort: a field name, "-" for descending
    note: str = ""


LEAD_VIEWS = {
    "S1": ViewDef(
        "S1",
        "My MQLs and hot leads",
        "view_s1",
        "sla_due",
        "Oldest SLA deadline first; web-chat leads too.",
    ),
    "S2": ViewDef(
        "S2", "High-touch sequence, with phone", "view_s2", "-last_interesting_moment_at"
    ),
    "S3": ViewDef(
        "S3",
        "My Qualifying leads",
        "view_s3",
        "-last_interesting_moment_at",
        "Flagged: no sales activity in 14 days, no open task, no active sequence.",
    ),
    "B1": ViewDef("B1", "My MQLs and hot leads", "view_b1", "sla_due"),
    "B2": ViewDef(
        "B2",
        "Leads at my Actively Working accounts",
        "view_b2",
        "-last_interesting_moment_at",
        "Any owner; take ownership to work them (B3).",
    ),
    "B3": ViewDef("B3", "My leads not yet in a sequence", "view_b3", "-last_interesting_moment_at"),
    "B4": ViewDef(
        "B4", "High-touch sequence, with phone", "view_b4", "-last_interesting_moment_at"
    ),
    "B5": ViewDef("B5", "My Qualifying leads", "view_b5", "-last_interesting_moment_at"),
}

LEAD_SORTS = {
    "name": "last_name",
    "company": "company",
    "status": "status",
    "score": "person_score",
    "sla": "sla_due",
    "moment": "last_interesting_moment_at",
    "created": "created_at",
}
SORT_FIELD_OF = {"sla_due": "sla", "-last_interesting_moment_at": "moment"}


# VIEW-1: the lead views each role works (the side menu and its live counts).
LEAD_VIEWS_BY_ROLE = {
    roles.SDR: ("S1", "S2", "S3"),
    roles.SDR_MANAGER: ("S1", "S2", "S3"),
    roles.BDR: ("B1", "B2", "B3", "B4", "B5"),
    roles.BDR_MANAGER: ("B1", "B2", "B3", "B4", "B5"),
}


def lead_view_codes(user) -> list[str]:
    """The codes of the lead views `user`'s roles work, in menu order."""
    return lead_view_codes_for(user.role_names)


def lead_view_codes_for(role_names) -> list[str]:
    """The codes of the lead views these roles work, in menu order."""
    codes: list[str] = []
    for role, role_codes in LEAD_VIEWS_BY_ROLE.items():
        if role in role_names:
            codes += [c for c in role_codes if c not in codes]
    return codes
