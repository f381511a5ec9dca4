"""The drill-down list's columns per kind of record, for the page and its CSV."""

from dataclasses import dataclass

from accounts.models import Account, Contact
from gtm_portal.activity.models import Enrollment, Task
from leads.models import Lead
from opportunities.models import Opportunity

CSV_HEADER = ["kind", "id", "name", "owner", "status", "date", "amount"]


@dataclass
class Section:
    kind: str
    queryset: object
    columns: tuple  # (title, getter)


def _owner(r):
    owner = getattr(r, "owner", None)
    return owner.label if owner else ""


COLUMNS = {
    Lead: (
        "lead",
        ("owner", "initial_source"),
        (
            ("Status", lambda r: r.status),
            ("Created", lambda r: r.created_at),
            ("MQL date", lambda r: r.mql_date),
        ),
    ),
    Contact: (
        "contact",
        ("owner", "account", "initial_source"),
        (
            ("Status", lambda r: r.status),
            ("Account", lambda r: r.account.name),
            ("MQL date", lambda r: r.mql_date),
        ),
    ),
    Opportunity: (
        "opportunity",
        ("owner", "sdr_bdr", "account", "source"),
        (
            ("Stage", lambda r: r.stage),
            ("Account", lambda r: r.account.name),
            ("SDR/BDR", lambda r: r.sdr_bdr.username if r.sdr_bdr else ""),
            ("Segment", lambda r: r.account.segment),
            ("IACV", lambda r: r.iacv),
            ("Accepted", lambda r: r.sales_accepted_date),
            ("Close date", lambda r: r.close_date),
        ),
    ),
    Task: ("task", ("owner",), (("Due", lambda r: r.due_date), ("Status", lambda r: r.status))),
    Enrollment: (
        "enrollment",
        ("lead__owner", "sequence"),
        (
            ("Sequence", lambda r: r.sequence.name),
            ("State", lambda r: r.state),
        ),
    ),
    Account: (
        "account",
        ("owner", "bdr_assigned"),
        (
            ("BDR next step", lambda r: r.bdr_next_step),
            ("Due", lambda r: r.bdr_next_step_date),
        ),
    ),
}


def section(qs) -> Section:
    kind, joins, columns = COLUMNS[qs.model]
    return Section(kind, qs.select_related(*joins).order_by("-pk"), columns)


def link(record):
    target = record.lead if isinstance(record, Enrollment) else record
    return target.get_absolute_url() if hasattr(target, "get_absolute_url") else ""


def label(record) -> str:
    if isinstance(record, Enrollment):
        return str(record.lead)
    return str(record)


def csv_rows(s: Section):
    for r in s.queryset.iterator(chunk_size=2000):
        amount = getattr(r, "iacv", "")
        status = getattr(r, "stage", None) or getattr(r, "status", "") or getattr(r, "state", "")
        date = getattr(r, "sales_accepted_date", None) or getattr(r, "created_at", None) or ""
        yield [s.kind, r.pk, label(r), _owner(r), status, date, amount]


def cells(s: Section, record) -> list:
    return [getter(record) for _, getter in s.columns]
