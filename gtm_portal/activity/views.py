import datetime

from django.contrib import messages
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from gtm_portal.core import access, records
from gtm_portal.core.redirects import back_to

from .forms import SequenceForm
from .models import Sequence, Task
from .services import UNDO_SECONDS, activity_undo, task_complete, task_create

UNDO_SALT = "activity-undo"


@require_POST
def task_new(request, kind: str, pk: int):
    """ACT-2: a task on the record at /<kind>/<pk>/, for the user who adds it."""
    record_kind = records.kind_for_url_or_404(kind)
    record = get_object_or_404(record_kind.model, pk=pk)
    access.require(request.user, "record.comment", record)
    try:
        due = datetime.date.fromisoformat(request.POST.get("due_date", ""))
    except ValueError:
        due = None
    try:
        task_create(
            owner=request.user,
            by=request.user,
            subject=request.POST.get("subject", ""),
            due_date=due,
            **{record_kind.name: record},
        )
        messages.success(request, "Task added.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return back_to(request, record.get_absolute_url())


def undo_token(activity, task=None) -> str:
    """A signed ticket for undoing this activity (and its follow-up task): the ids cannot be
    forged, and it lapses after UNDO_SECONDS."""
    return signing.dumps({"a": activity.pk, "t": task.pk if task else None}, salt=UNDO_SALT)


@require_POST
def activity_undo_view(request):
    """UX quick actions: take back the activity just logged (the log dialog's "Undo")."""
    try:
        ticket = signing.loads(request.POST.get("token", ""), salt=UNDO_SALT, max_age=UNDO_SECONDS)
        activity = activity_undo(activity_id=ticket["a"], task_id=ticket["t"], by=request.user)
    except (signing.BadSignature, KeyError, TypeError):
        message, ok = "ACT-1: this activity can no longer be undone; it stays on the record.", False
    except ValidationError as exc:
        message, ok = " ".join(exc.messages), False
    else:
        message, ok = f"{activity.get_kind_display()} removed.", True
    if not request.htmx:
        (messages.success if ok else messages.error)(request, message)
        return back_to(request, "/")
    response = TemplateResponse(request, "activity/_logged.html", {"message": message, "ok": ok})
    if ok:
        response["HX-Trigger"] = "timelineChanged"
    return response


@require_POST
def task_done(request, pk: int):
    task = get_object_or_404(Task, pk=pk)
    task_complete(task=task, by=request.user)
    messages.success(request, f"Done: {task.subject}")
    return back_to(request, "/")


def sequences(request, pk: int | None = None):
    """SEQ-1: the sequence list; SDR/BDR managers add, edit and deactivate."""
    can_manage = access.can(request.user, "sequences.manage")
    instance = get_object_or_404(Sequence, pk=pk) if pk else None
    form = None
    if can_manage:
        form = SequenceForm(request.POST or None, instance=instance)
        if request.method == "POST" and form.is_valid():
            saved = form.save()
            messages.success(request, f"Saved sequence “{saved.name}”.")
            cache.delete("refs:sequences")
            return HttpResponseRedirect("/sequences/")
    elif request.method == "POST":
        access.require(
            request.user,
            "sequences.manage",
            message="SEQ-1: sequences are managed by SDR and BDR managers.",
        )
    rows = (
        Sequence.objects.select_related("region")
        .annotate(active_people=Count("enrollments", filter=Q(enrollments__state="active")))
        .order_by("-active", "name")
    )
    return TemplateResponse(
        request,
        "activity/sequences.html",
        {"rows": rows, "form": form, "editing": instance, "can_manage": can_manage},
    )
