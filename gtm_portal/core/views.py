import copy
import json
import logging
import sys

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from kombu import Connection

from . import editing
from .recordpage import field_row
from .selectors import home_for_user
from .services import StaleEdit
from .templatetags.records import field_cell

logger = logging.getLogger(__name__)


@login_not_required
def healthz(request):
    """CONTRACT 6: 200 {"db": "ok", "broker": "ok"|"eager"}; 503 when the database is down."""

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db = "ok"
    except Exception:
        db = "down"
    broker = "eager"
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        broker = _broker_state(settings.CELERY_BROKER_URL)
    status = 200 if db == "ok" else 503
    return JsonResponse({"db": db, "broker": broker}, status=status)


def _broker_state(url: str) -> str:

    try:
        with Connection(url, connect_timeout=1) as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
        return "ok"
    except Exception:
        return "down"


def home(request):
    return TemplateResponse(request, "home.html", home_for_user(request.user))


def record_edit(request, kind: str, pk: int):
    """CONTRACT 6 `/<kind>/<id>/edit/`: the record's edit form — or, with `?field=<name>`, the
    inline editor of one field (HTMX). Both carry the version the user saw: 302 (or the new
    value cell) on success, 200 with the errors under the fields, 409 "changed by X at T" when
    the record changed since (nothing written), 403 when the user may not edit (ROLE-3)."""
    editor = editing.editor_for(kind)
    if editor is None:
        raise Http404
    record = editor.get(request.user, pk)
    allowed = editor.fields_for(request.user, record)
    if not allowed:
        raise PermissionDenied(f"ROLE-3: you may not edit this {record._meta.verbose_name}.")
    name = request.GET.get("field")
    inline = name is not None
    if inline and name not in allowed:
        raise PermissionDenied("ROLE-3: you may not edit this field here.")
    names = [name] if inline else list(allowed)
    if inline and request.method == "GET" and request.GET.get("cancel"):
        return _field_cell(record, name, allowed)
    form_type = editing.form_class(editor, names)
    status = 200
    if request.method == "POST":
        form = form_type(request.POST, instance=copy.copy(record))
        if form.is_valid():
            data = {n: form.cleaned_data[n] for n in names}
            try:
                saved = editor.save(
                    record=record,
                    by=request.user,
                    data=data,
                    expected_version=form.cleaned_data["version"],
                    reason=form.cleaned_data.get("reason") or "",
                )
            except StaleEdit as exc:
                form.add_error(None, exc.message)
                status = 409
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                return _saved_response(
                    request, editor, saved, name, allowed, seen=form.cleaned_data["version"]
                )
    elif request.method == "GET":
        form = form_type(instance=record, initial={"version": record.version})
    else:
        return HttpResponseNotAllowed(["GET", "POST"])
    show_reason = bool(editor.needs_reason and editor.needs_reason(request.user, record))
    if show_reason:
        form.fields["reason"].widget.attrs["placeholder"] = "Reason (kept in the history)"
    context = {
        "form": form,
        "obj": record,
        "kind": kind,
        "editor": editor,
        "field": name,
        "edit_url": editing.edit_url(kind, record.pk),
        "stale": status == 409,
        "show_reason": show_reason,
    }
    if inline:
        return TemplateResponse(
            request, "records/partials/inline_field.html", context, status=status
        )
    context["groups"] = editing.grouped(editor, form)
    return TemplateResponse(request, "records/edit.html", context, status=status)


def _saved_response(request, editor, saved, name: str | None, allowed, *, seen: int):
    """After a save: the full form goes back to the record; an inline edit answers the new
    value cell — or reloads the page when the field shows elsewhere on it too."""
    if name is None:
        messages.success(request, "Saved.")
        return HttpResponseRedirect(saved.get_absolute_url())
    if name in editor.reload_on:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    response = _field_cell(saved, name, allowed)
    # The page's other forms (stage, status, roles) showed the version this save started
    # from: they move on with it (portal.js), so the user's own inline save never makes
    # them stale.
    response["HX-Trigger"] = json.dumps({"recordVersion": {"seen": seen, "now": saved.version}})
    return response


def _field_cell(record, name: str, allowed) -> HttpResponse:
    return HttpResponse(field_cell(field_row(record, name, allowed)))


def _form_errors(form, exc: ValidationError) -> None:
    """A service's refusal under the field it names (plain words first), else at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _error_page(request, status: int, message: str) -> str:
    """A 500 inside the whole frame; a 503, or a 500 whose frame fails to render (the fault may
    be in what the frame reads), in the fixed frame of error_plain.html, which reads nothing."""
    context = {"status": status, "message": message}
    if status == 500:
        try:
            return render_to_string("500.html", context, request=request)
        except Exception:  # the error page must answer whatever broke; the cause is logged
            logger.exception("The framed 500 page failed; answering the plain one")
    return render_to_string("error_plain.html", context)


def server_error(request):
    """handler500: the answer to an uncaught error. A database fault — a backend killed
    mid-request, a lock not granted within lock_timeout, statement_timeout, SQLite busy —
    answers 503 "busy, retry" (Retry-After) and drops the broken connection so the next
    request opens a fresh one; anything else a plain 500. Rendered without the frame's
    queries (the database may be what failed), as JSON under /api/."""
    error = sys.exc_info()[1]
    busy = isinstance(error, OperationalError | InterfaceError)
    if busy:
        close_old_connections()
    status = 503 if busy else 500
    message = (
        "The database is busy or was briefly unavailable. Nothing was saved; "
        "wait a moment and try again."
        if busy
        else "Something went wrong on our side. Nothing was saved; "
        "the error was logged for the administrators."
    )
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=status)
    else:
        response = HttpResponse(_error_page(request, status, message), status=status)
    if busy:
        response["Retry-After"] = "5"
    return response
