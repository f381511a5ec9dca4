"""Decisions a notification asks for, taken where the notification leads (UX): the inbox row
and the record page show the approve / decline form of the request the record waits on,
when the reader may decide it. Chatter imports no domain app, so each app that has such
requests registers, per record model ("app_label.model"), a finder — (user, record ids) →
{record id: request the user may decide now} — and the template of its form."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType

from .models import Notification


@dataclass(frozen=True)
class Decider:
    find: Callable  # (user, ids) -> {id: request}
    template: str  # renders `decision` (the request), `next` (where to come back)


_DECIDERS: dict[str, list[Decider]] = {}


def register(model_label: str, find: Callable, template: str) -> None:
    _DECIDERS.setdefault(model_label, []).append(Decider(find, template))


def _label(model) -> str:
    return model._meta.label_lower


def attach(user, notifications) -> None:
    """Set `n.decision` / `n.decision_template` on each "asks you to decide" notification
    whose record waits on a request `user` may decide now — one query per kind of record."""
    wanted: dict[str, list] = {}
    for n in notifications:
        if n.reason == Notification.Reason.DECIDE and n.content_type_id and n.object_id:
            model = ContentType.objects.get_for_id(n.content_type_id).model_class()
            if model is not None and _label(model) in _DECIDERS:
                wanted.setdefault(_label(model), []).append(n)
    for label, rows in wanted.items():
        ids = {n.object_id for n in rows}
        for decider in _DECIDERS[label]:
            found = decider.find(user, ids)
            for n in rows:
                if n.object_id in found and not hasattr(n, "decision"):
                    n.decision, n.decision_template = found[n.object_id], decider.template


def for_record(user, record) -> list[tuple[object, str]]:
    """The requests about `record` that `user` may decide now, each with its form's
    template (the record page's decision panel)."""
    out = []
    for decider in _DECIDERS.get(_label(type(record)), ()):
        found = decider.find(user, {record.pk})
        if record.pk in found:
            out.append((found[record.pk], decider.template))
    return out
