"""ACCT-CE from a file: `manage.py import_usage_ping FILE` reads a CSV of usage-ping rows and
creates or updates accounts through `account_create_from_usage` (source CE Download, type
Prospect - CE User, owner Sales Admin, using CE; a known domain is updated). Every row is
checked first; a file with a bad row writes nothing and names each bad row, so nothing is
ever half-written."""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from .matching import normalize_domain
from .services import account_create_from_usage

# The columns, by any of the names a usage-ping export uses (case and spaces ignored).
COLUMNS = {
    "name": ("name", "company", "account", "account name", "company name"),
    "domain": ("domain", "website", "hostname", "company domain"),
    "employees": ("employees", "employee count", "total employee count"),
    "active_ce_users": ("active ce users", "active users", "active_ce_users", "users"),
    "ce_instances": ("ce instances", "instances", "ce_instances"),
}
MAX_ROWS = 100_000
NUMBER_LIMIT = 2_147_483_647  # the columns' size (PositiveIntegerField)


@dataclass
class Report:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def _header_map(header: list[str]) -> dict[str, int]:
    found = {}
    for index, raw in enumerate(header):
        key = " ".join(raw.strip().lower().replace("_", " ").split())
        for name, aliases in COLUMNS.items():
            if key in {" ".join(a.replace("_", " ").split()) for a in aliases}:
                found.setdefault(name, index)
    return found


def _number(value: str, column: str) -> int | None:
    value = (value or "").strip().replace(",", "")
    if not value:
        return None
    if not value.isdecimal() or int(value) > NUMBER_LIMIT:
        raise ValueError(f"{column} must be a whole number ≥ 0, not {value!r}")
    return int(value)


def parse(text: str) -> tuple[list[dict], list[str]]:
    """The rows of a usage-ping CSV as keyword arguments of `account_create_from_usage`, and
    the problems ("line N: …"), every row checked."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        return [], ["the file is empty; expected a header row with name and domain columns"]
    columns = _header_map(header)
    missing = [c for c in ("name", "domain") if c not in columns]
    if missing:
        return [], [f"the header has no {' or '.join(missing)} column"]
    rows, errors = [], []
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            errors.append(f"more than {MAX_ROWS:,} rows; split the file")
            break

        def cell(name: str, values=values) -> str:
            index = columns.get(name)
            return values[index].strip() if index is not None and index < len(values) else ""

        problems = []
        name, domain = cell("name"), normalize_domain(cell("domain"))
        if not name:
            problems.append("the company name is empty")
        if not domain or "." not in domain or " " in domain:
            problems.append(f"the domain {cell('domain')!r} is not a domain such as example.com")
        numbers = {}
        for column in ("employees", "active_ce_users", "ce_instances"):
            try:
                numbers[column] = _number(cell(column), column.replace("_", " "))
            except ValueError as exc:
                problems.append(str(exc))
        if problems:
            errors.append(f"line {line}: " + "; ".join(problems))
        else:
            rows.append({"name": name, "domain": domain, **numbers, "line": line})
    return rows, errors


def import_usage_ping(text: str, *, by=None) -> Report:
    """ACCT-CE for every row of the file, in one transaction: a bad row (found while
    checking, or refused by the service) leaves the database as it was."""
    rows, errors = parse(text)
    report = Report(errors=errors)
    if errors:
        return report
    try:
        with transaction.atomic():
            for row in rows:
                line = row.pop("line")
                try:
                    _account, created = account_create_from_usage(**row, by=by)
                except ValidationError as exc:
                    report.errors.append(f"line {line}: {' '.join(exc.messages)}")
                    raise
                if created:
                    report.created += 1
                else:
                    report.updated += 1
    except ValidationError:
        report.created = report.updated = 0
    return report
