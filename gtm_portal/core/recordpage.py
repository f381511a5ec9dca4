"""The parts of a record page every kind shares: its fields in sections (label/value/link
rows), the lazily loaded tabs and the right-hand panel. Record kinds come from `core.records`;
the domain apps register their tabs and the person page's action bar here."""

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from gtm_portal.activity.enums import TaskStatus
from gtm_portal.activity.models import Activity, Task
from gtm_portal.chatter import decisions
from gtm_portal.chatter.selectors import thread_for
from gtm_portal.chatter.services import is_following
from gtm_portal.users.roles import is_adoptable

from . import access, editing, records
from .history import display_value, history_for
from .models import FieldChange


@dataclass
class FieldRow:
    label: str
    value: str
    url: str | None = None
    name: str = ""
    edit_url: str | None = None  # the inline editor of this field, when the user may edit it


def field_row(obj, name: str, editable=()) -> FieldRow:
    """One field as the record page shows it: label, value as people read it (Q-TZ), a link
    when it points at a record, and its inline editor when `name` is in `editable`."""
    field = obj._meta.get_field(name)
    url = None
    if isinstance(field, models.ForeignKey):
        related = getattr(obj, name)
        if related is not None and hasattr(related, "get_absolute_url"):
            url = related.get_absolute_url()
    value = display_value(obj, name)
    if hasattr(obj, "number_hidden") and obj.number_hidden(name):
        value = obj.HIDDEN_NUMBER
    label = field.verbose_name
    edit_url = None
    if name in editable:
        edit_url = reverse(
            "record_edit", kwargs={"kind": records.kind_of(obj).url_kind, "pk": obj.pk}
        )
    return FieldRow(
        label=str(label).capitalize() if label.islower() else str(label),
        value=value,
        url=url,
        name=name,
        edit_url=edit_url,
    )


def sections_for(obj, editable=()) -> list[tuple[str, list[FieldRow]]]:
    """The record's SECTIONS; the fields named in `editable` (ROLE-3, the record's editor)
    get an inline editor."""
    editable = frozenset(editable)
    return [
        (title, [field_row(obj, name, editable) for name in names])
        for title, names in type(obj).SECTIONS
    ]


LAZY_TABS = ("score", "routing", "history", "activities")
_tab_providers: dict = {}


def register_tab(name: str, provider) -> None:
    """A domain app supplies a lazily loaded tab (leads: score and routing)."""
    _tab_providers[name] = provider


def requested_tab(request) -> str | None:
    tab = request.GET.get("tab")
    return tab if tab in LAZY_TABS else None


def tab_context(obj, tab: str | None, user) -> dict:
    """Only the requested tab's rows are read (record pages stay within their query budget;
    the other tabs load when opened)."""
    if tab == "history":
        return {"tab": tab, "history": list(history_for(obj))}
    if tab == "activities":
        return {"tab": tab, **timeline_for(obj, user)}
    if tab in _tab_providers:
        return {"tab": tab, **_tab_providers[tab](obj)}
    return {"tab": tab}


def tab_response(request, obj, tab: str):
    """The HTMX answer for one tab: its partial only."""
    return TemplateResponse(
        request,
        f"records/partials/tab_{tab}.html",
        {
            "obj": obj,
            "url_kind": records.kind_of(obj).url_kind,
            "can_comment": access.can(request.user, "record.comment", obj),
            **tab_context(obj, tab, request.user),
        },
    )


# The changes a timeline shows beside comments and activities: how the record moved on.
TIMELINE_FIELDS = ("status", "stage", "owner", "bdr_prospecting_status")


@dataclass
class TimelineEntry:
    kind: str  # "comment", "activity", "task" (done) or "change"
    at: datetime.datetime
    item: object


def timeline_for(obj, user, limit: int = 50) -> dict:
    """The record's open tasks (upcoming first) and one timeline, newest first, of its
    comments (with their replies), activities, done tasks and status, stage and owner
    changes (UX: one interleaved timeline). Loaded right after the page (HTMX,
    `?tab=activities`), so the page itself stays within its query budget (SPEC Q-PERF);
    each kind is one query of at most `limit` rows."""
    link = {records.kind_of(obj).name: obj}
    tasks = Task.objects.filter(**link).select_related("owner")
    changes = FieldChange.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        field__in=TIMELINE_FIELDS,
    ).select_related("changed_by")
    entries = [
        # a thread sits where its latest reply is
        *(
            TimelineEntry("comment", max(r.created_at for r in [c, *c.reply_list]), c)
            for c in thread_for(obj, user, limit)
        ),
        *(
            TimelineEntry("activity", a.occurred_at, a)
            for a in Activity.objects.filter(**link)
            .select_related("logged_by")
            .order_by("-occurred_at", "-id")[:limit]
        ),
        *(
            TimelineEntry("task", t.done_at or t.created_at, t)
            for t in tasks.filter(status=TaskStatus.DONE).order_by("-done_at", "-id")[:limit]
        ),
        *(
            TimelineEntry("change", h.changed_at, h)
            for h in changes.order_by("-changed_at", "-id")[:limit]
        ),
    ]
    entries.sort(key=lambda e: e.at, reverse=True)
    labels = {f.name: str(f.verbose_name).capitalize() for f in type(obj)._meta.fields}
    for entry in entries:
        if entry.kind == "change":
            entry.item.label = labels.get(entry.item.field, entry.item.field)
    return {
        "timeline": entries,
        "today": timezone.localdate(),
        "open_tasks": list(tasks.filter(status=TaskStatus.OPEN).order_by("due_date", "id")[:limit]),
    }


def panels_for(obj, kind: str, user, limit: int = 50) -> dict:
    """The right-hand panel of a record page: comments and the lazy tabs (timeline
    activities, score, routing, history). A fixed number of queries whatever the record
    holds (SPEC Q-PERF)."""
    record_kind = records.kind_of(obj)
    owner = getattr(obj, "owner", None)
    adoptable = is_adoptable(owner)
    return {
        "url_kind": record_kind.url_kind,
        "can_claim": (
            record_kind.claimable and adoptable and access.can(user, "record.claim", obj)
        ),
        "can_request_transfer": (
            record_kind.claimable
            and not adoptable
            and owner.pk != user.pk
            and access.can(user, "record.claim", obj)
        ),
        "following": is_following(user, obj),
        # UX: the requests about this record the reader may decide, decided right here
        "decisions": decisions.for_record(user, obj),
        "comments": thread_for(obj, user),
        "has_score": kind in ("lead", "contact"),
    }


# The person page's action bar is the lead workflow's (leads app); contacts live in the
# accounts app, which must not import leads (STYLE 1), so leads registers it here.
_person_actions = None


def register_person_actions(provider) -> None:
    global _person_actions
    _person_actions = provider


def person_actions(user, person) -> dict:
    return _person_actions(user, person) if _person_actions else {}


def _refused_status_key(person) -> str:
    return f"refused-status:{records.kind_of(person).url_kind}:{person.pk}"


def refused_status_keep(request, person, posted, errors) -> None:
    """A refused status change, kept for the record page the refusal redirects to: the form
    opens again with the user's choice and the refusal under it (UX: refusals in place,
    nothing lost), whatever the path back (redirect after POST)."""
    request.session[_refused_status_key(person)] = {
        "to": posted.get("to", ""),
        "disqualify_reason": posted.get("disqualify_reason", ""),
        "reason": posted.get("reason", "")[:300],
        "errors": [str(m) for m in errors],
    }


def person_page_context(request, person, kind: str) -> dict:
    """A lead's or contact's record page (they share the person fields and the action bar):
    fields with their inline editors, the requested lazy tab, the actions this user may
    take, comments."""
    user = request.user
    return {
        "obj": person,
        "kind": kind,
        **tab_context(person, requested_tab(request), user),
        "sections": sections_for(
            person, editing.editable_fields(user, person, records.kind_of(person).url_kind)
        ),
        "can_edit": access.can(user, "person.edit", person),
        "can_comment": access.can(user, "record.comment", person),
        **person_actions(user, person),
        **panels_for(person, kind, user),
        "status_refused": request.session.pop(_refused_status_key(person), None),
    }
