from dataclasses import dataclass


@dataclass(frozen=True)
class ViewDef:
    code: str
    title: str
    method: str
    sort: str
    note: str = ""


CONTACT_VIEWS = {
    "B1": ViewDef("B1", "My MQL and hot contacts", "view_b1", "sla_due"),
    "B2": ViewDef(
        "B2",
        "Contacts at my Actively Working accounts",
        "view_b2",
        "-last_interesting_moment_at",
        "Any owner.",
    ),
    "B3": ViewDef(
        "B3", "High-touch sequence, with phone", "view_b3", "-last_interesting_moment_at"
    ),
    "B4": ViewDef("B4", "My Qualifying contacts", "view_b4", "-last_interesting_moment_at"),
}
ACCOUNT_VIEWS = {
    "B1": ViewDef(
        "B1",
        "Accounts in my territory",
        "view_b1",
        "name",
        "My region, and my segments when my profile names them.",
    ),
    "B2": ViewDef("B2", "Accounts where I am BDR Assigned", "view_b2", "name"),
    "B3": ViewDef(
        "B3",
        "My Actively Working accounts",
        "view_b3",
        "actively_working_since",
        "Days left on the 10-day research and 15-day enrollment requirements.",
    ),
}
CONTACT_SORTS = {
    "name": "last_name",
    "status": "status",
    "score": "person_score",
    "sla": "sla_due",
    "moment": "last_interesting_moment_at",
}
ACCOUNT_SORTS = {
    "name": "name",
    "segment": "segment",
    "since": "actively_working_since",
    "employees": "employees",
}
