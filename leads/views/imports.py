"""List imports (CONTRACT 6.6): upload and history, the preview with its mapping form and
commit buttons, the live progress (`?format=json`, an HTMX partial), `errors.csv`, undo.
Marketing Ops only (ROLE-3); every write goes through `leads.imports.services`."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from gtm_portal.core import access
from gtm_portal.core.csvexport import stream_csv
from gtm_portal.refdata.models import InitialSource

from ..imports import columns, files, services
from ..models import Campaign, ImportRowError, ImportRun

HISTORY_ROWS = 50


def _require(request):
    access.require(request.user, "imports.run", message="ROLE-3: only Marketing Ops imports lists.")


def _upload_context(errors: dict | None = None, values: dict | None = None) -> dict:
    return {
        "runs": ImportRun.objects.without_files().select_related("uploaded_by", "campaign")[
            :HISTORY_ROWS
        ],
        "campaigns": Campaign.objects.exclude(type="system").order_by("name"),
        "sources": InitialSource.objects.filter(active=True).order_by("name"),
        "errors": errors or {},
        "values": values or {},
        "max_rows": files.MAX_ROWS,
    }


def imports(request):
    """GET: the upload form and the import history; POST: upload → the preview (302), or
    400 with the reason on this page and nothing created."""
    _require(request)
    if request.method != "POST":
        return TemplateResponse(request, "imports/list.html", _upload_context())
    upload = request.FILES.get("file")
    values = {k: request.POST.get(k, "") for k in ("campaign", "member_status", "initial_source")}
    errors: dict = {}
    if upload is None:
        errors["file"] = "IMPORT-1: choose a CSV or XLSX file."
    elif upload.size > files.MAX_BYTES:
        errors["file"] = files.FileRefused(
            f"the file is {upload.size / 1048576:.1f} MB; the limit is 20 MB."
        ).message
    else:
        try:
            run = services.import_upload(
                by=request.user,
                file_name=upload.name,
                content=upload.read(),
                campaign_name=values["campaign"],
                member_status=values["member_status"],
                initial_source_name=values["initial_source"],
            )
        except files.FileRefused as refused:
            errors["file"] = refused.message
        except ValidationError as exc:
            errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
        else:
            return HttpResponseRedirect(run.get_absolute_url())
    return TemplateResponse(
        request, "imports/list.html", _upload_context(errors, values), status=400
    )


def _run(request, pk: int) -> ImportRun:
    _require(request)
    return get_object_or_404(
        ImportRun.objects.without_files().select_related("uploaded_by", "campaign"),
        pk=pk,
    )


def state_json(run: ImportRun) -> dict:
    """CONTRACT 6.6's answer to `?format=json`."""
    return {
        "state": run.state,
        "rows": run.total_rows,
        "create": run.to_create,
        "update": run.to_update,
        "errors": run.errors,
        "created": run.created,
        "updated": run.updated,
        "skipped": run.skipped,
        "percent": run.percent,
        "undone": run.undone_at is not None,
    }


def import_detail(request, pk: int):
    run = _run(request, pk)
    if request.GET.get("format") == "json":
        return JsonResponse(state_json(run))
    if request.htmx and request.GET.get("part") == "progress":
        return TemplateResponse(request, "imports/_progress.html", {"run": run})
    unknown = columns.unknown_headers(run.headers, columns.auto_mapping(run.headers))
    return TemplateResponse(
        request,
        "imports/detail.html",
        {
            "run": run,
            "unknown": [(h, run.mapping.get(h, "")) for h in unknown],
            "fields": columns.FIELDS,
            "samples": [
                (kind, label, run.samples.get(kind, []))
                for kind, label in (
                    ("create", "New people"),
                    ("update", "Updates"),
                    ("error", "Errors"),
                )
            ],
            "undo_refusal": services.undo_refusal(run),
        },
    )


@require_POST
def import_mapping(request, pk: int):
    run = _run(request, pk)
    chosen = {h: request.POST.get(f"map-{i}", "") for i, h in enumerate(run.headers)}
    try:
        services.import_set_mapping(run=run, by=request.user, chosen=chosen)
    except (ValidationError, files.FileRefused) as exc:
        messages.error(request, getattr(exc, "message", None) or " ".join(exc.messages))
    else:
        messages.success(request, "Mapping saved; it will be used for files with these headers.")
    return HttpResponseRedirect(run.get_absolute_url())


@require_POST
def import_commit(request, pk: int):
    run = _run(request, pk)
    try:
        run, queued = services.import_commit(
            run=run, by=request.user, mode=request.POST.get("mode", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if not queued:
            messages.info(request, "IMPORT-2: this import was committed already.")
    return HttpResponseRedirect(run.get_absolute_url())


def import_errors(request, pk: int):
    run = _run(request, pk)
    rows = (
        ImportRowError.objects.filter(run=run)
        .order_by("row", "id")
        .values_list("row", "column", "value", "reason")
        .iterator(chunk_size=2000)
    )
    return stream_csv(f"import-{run.pk}-errors.csv", ["row", "column", "value", "reason"], rows)


@require_POST
def import_undo(request, pk: int):
    run = _run(request, pk)
    try:
        removed = services.import_undo(run=run, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Import undone: {removed:,} people it created were removed.")
    return HttpResponseRedirect(run.get_absolute_url())
