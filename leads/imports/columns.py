"""IMPORT-1, CONTRACT 6.6: the columns an import reads and how file headers find them —
case-insensitive, spaces, dashes and underscores alike; other headers are mapped by hand on
the preview page and the mapping is remembered per header set."""

import hashlib
import re

# The import's fields (CONTRACT 6.6 names), with what people read on the mapping form.
FIELDS = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "E-mail",
    "company": "Company",
    "title": "Title",
    "phone": "Phone",
    "address_1": "Address 1",
    "address_2": "Address 2",
    "city": "City",
    "state": "State/province",
    "zip": "Zip/postal code",
    "country": "Country",
    "employees": "Employees",
    "website": "Website",
    "initial_source": "Initial source",
    "owner": "Owner (username)",
    "campaign": "Campaign",
    "member_status": "Member status",
    "opt_out": "E-mail opt-out (yes/no)",
}
IGNORE = ""


def header_key(header: str) -> str:
    """A header as matching compares it: lower case, spaces, dashes and underscores
    dropped ("First Name", "first-name" and "first_name" are one)."""
    return re.sub(r"[\s\-_]+", "", (header or "").strip().lower())


FIELD_BY_KEY = {header_key(name): name for name in FIELDS}


def mapping_key(headers: list[str]) -> str:
    """The remembered mapping's key: the file's header set."""
    joined = "\n".join(sorted(header_key(h) for h in headers))
    return hashlib.sha256(joined.encode()).hexdigest()


def auto_mapping(headers: list[str]) -> dict[str, str]:
    """{header: field} for the headers CONTRACT 6.6 names (the first of two alike wins)."""
    found: dict[str, str] = {}
    taken = set()
    for header in headers:
        field = FIELD_BY_KEY.get(header_key(header))
        if field and field not in taken:
            found[header] = field
            taken.add(field)
    return found


def unknown_headers(headers: list[str], mapping: dict[str, str]) -> list[str]:
    return [h for h in headers if h.strip() and h not in mapping]


def column_index(headers: list[str], mapping: dict[str, str]) -> dict[str, int]:
    """{field: position in the row} under `mapping` (ignored headers left out)."""
    index = {}
    for position, header in enumerate(headers):
        field = mapping.get(header, IGNORE)
        if field in FIELDS and field not in index:
            index[field] = position
    return index


def clean_mapping(headers: list[str], chosen: dict[str, str]) -> dict[str, str]:
    """A mapping from the form: only the file's headers, only known fields, each field
    once (the automatic matches keep their field)."""
    mapping = auto_mapping(headers)
    taken = set(mapping.values())
    for header in headers:
        if header in mapping:
            continue
        field = chosen.get(header, IGNORE)
        if field in FIELDS and field not in taken:
            mapping[header] = field
            taken.add(field)
        else:
            mapping[header] = IGNORE
    return mapping
