"""IMPORT-1/2: upload → preview → commit (queued) → undo. Nothing about people is written
before the commit; the commit itself is `leads.imports.commit` run by the task queue."""

import datetime
import hashlib

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gtm_portal.core import access
from gtm_portal.core.background import run_soon
from gtm_portal.core.models import FieldChange
from gtm_portal.refdata.models import InitialSource

from ..models import (
    Campaign,
    CampaignMember,
    ImportedRow,
    ImportMapping,
    ImportRowError,
    ImportRun,
    Lead,
)
from . import columns, files, rows

SAMPLE_ROWS = 5
UNDO_HOURS = 24
State = ImportRun.State


def _form_defaults(*, campaign_name: str, member_status: str, initial_source_name: str):
    """The upload form's whole-file values (CONTRACT 6.6), checked like a row's."""
    campaign = source = None
    if campaign_name.strip():
        campaign = Campaign.objects.filter(name__iexact=campaign_name.strip()).first()
        if campaign is None:
            raise ValidationError({"campaign": "CAMP-1: no campaign with that name."})
        if member_status.strip() and not campaign.statuses.filter(
            name__iexact=member_status.strip()
        ):
            raise ValidationError(
                {"member_status": f"CAMP-1: {campaign.name} has no such member status."}
            )
    elif member_status.strip():
        raise ValidationError({"member_status": "CAMP-1: a member status needs a campaign."})
    if initial_source_name.strip():
        source = InitialSource.objects.filter(
            name__iexact=initial_source_name.strip(), active=True
        ).first()
        if source is None:
            raise ValidationError(
                {"initial_source": "IMPORT-1: initial source must be an active value."}
            )
    return campaign, source


def import_upload(
    *,
    by,
    file_name: str,
    content: bytes,
    campaign_name: str = "",
    member_status: str = "",
    initial_source_name: str = "",
) -> ImportRun:
    """IMPORT-1: a new import in preview. A file refused as a whole raises
    `files.FileRefused` and nothing is created; bad form values raise ValidationError."""
    access.require(by, "imports.run", message="ROLE-3: only Marketing Ops imports lists.")
    kind = files.sniff(content)
    campaign, source = _form_defaults(
        campaign_name=campaign_name,
        member_status=member_status,
        initial_source_name=initial_source_name,
    )
    run = ImportRun(
        uploaded_by=by,
        file_name=(file_name or "upload")[:255].replace("\x00", ""),
        file_kind=kind,
        table=files.as_table(content, kind),  # the file read once (IMPORT-4 refusals here)
        sha256=hashlib.sha256(content).hexdigest(),
        campaign=campaign,
        member_status=member_status.strip(),
        initial_source=source,
    )
    run.headers = rows.read_header(run)
    remembered = ImportMapping.objects.filter(key=columns.mapping_key(run.headers)).first()
    run.mapping = (
        columns.clean_mapping(run.headers, remembered.mapping)
        if remembered
        else columns.auto_mapping(run.headers)
    )
    totals, samples, errors = preview(run)  # reads the whole file: refusals come before saving
    with transaction.atomic():
        _store_preview(run, totals, samples, errors)
    return run


def preview(run: ImportRun) -> tuple[dict, dict, list]:
    """IMPORT-2: totals per outcome, the first rows of each, every error row (nothing
    written)."""
    totals = {rows.CREATE: 0, rows.UPDATE: 0, rows.ERROR: 0}
    samples: dict[str, list] = {rows.CREATE: [], rows.UPDATE: [], rows.ERROR: []}
    errors = []
    for batch in rows.plans(run):
        for plan in batch:
            totals[plan.action] += 1
            if len(samples[plan.action]) < SAMPLE_ROWS:
                samples[plan.action].append(sample(plan))
            errors += error_rows(run, plan)
    return totals, samples, errors


def sample(plan: rows.RowPlan) -> dict:
    return {
        "row": plan.row,
        "cells": {k: v[:200] for k, v in plan.cells.items()},
        "reasons": [reason for _, _, reason in plan.errors],
    }


def error_rows(run: ImportRun, plan: rows.RowPlan) -> list[ImportRowError]:
    return [
        ImportRowError(
            run=run,
            row=plan.row,
            column=column,
            value=str(value)[:2000].replace("\x00", ""),
            reason=reason[:300],
        )
        for column, value, reason in plan.errors
    ]


def _store_preview(run: ImportRun, totals: dict, samples: dict, errors: list) -> None:
    run.total_rows = sum(totals.values())
    run.to_create, run.to_update = totals[rows.CREATE], totals[rows.UPDATE]
    run.errors = totals[rows.ERROR]
    run.samples = samples
    run.save()
    ImportRowError.objects.filter(run=run).delete()
    ImportRowError.objects.bulk_create(errors, batch_size=2000)


def import_set_mapping(*, run: ImportRun, by, chosen: dict[str, str]) -> ImportRun:
    """IMPORT-1: map the headers the contract does not name; remembered for the next file
    with the same headers; the preview is worked out again."""
    access.require(by, "imports.run")
    if run.state != State.PREVIEW:
        raise ValidationError("IMPORT-2: this import is committed; its mapping is fixed.")
    run.mapping = columns.clean_mapping(run.headers, chosen)
    totals, samples, errors = preview(run)
    with transaction.atomic():
        ImportMapping.objects.update_or_create(
            key=columns.mapping_key(run.headers),
            defaults={"headers": run.headers, "mapping": run.mapping},
        )
        _store_preview(run, totals, samples, errors)
    return run


def import_commit(*, run: ImportRun, by, mode: str) -> tuple[ImportRun, bool]:
    """IMPORT-2: queue the commit (after this transaction commits). A second click finds
    the import queued already and queues nothing (Q-IDEM). Returns (run, queued)."""
    from .. import tasks  # noqa: PLC0415  (tasks import this module)

    access.require(by, "imports.run")
    if mode not in ImportRun.Mode.values:
        raise ValidationError({"mode": "IMPORT-2: choose all or skip_invalid."})
    with transaction.atomic():
        run = ImportRun.objects.without_files().select_for_update().get(pk=run.pk)
        if run.state != State.PREVIEW:
            return run, False
        if mode == ImportRun.Mode.ALL and run.errors:
            raise ValidationError(
                {
                    "mode": f"IMPORT-2: {run.errors:,} rows have errors; fix them or "
                    "choose “skip invalid rows”."
                }
            )
        run.mode, run.state, run.committed_at = mode, State.QUEUED, timezone.now()
        run.save(update_fields=["mode", "state", "committed_at", "updated_at"])
        transaction.on_commit(lambda: run_soon(tasks.import_commit_task, run.pk))
    return run, True


def undo_refusal(run: ImportRun, now=None) -> str:
    """Why the import cannot be undone now, or "" (IMPORT-2: within 24 hours of the end)."""
    now = now or timezone.now()
    if run.undone_at:
        return "IMPORT-2: this import was undone already."
    if run.state != State.DONE or run.finished_at is None:
        return "IMPORT-2: only a finished import can be undone."
    if now - run.finished_at > datetime.timedelta(hours=UNDO_HOURS):
        return "IMPORT-2: an import can be undone within 24 hours only."
    return ""


@transaction.atomic
def import_undo(*, run: ImportRun, by) -> int:
    """IMPORT-2: remove the people the import created and the campaign memberships it
    added; nothing else changes (updated people keep their new values). Returns how many
    people went."""
    access.require(by, "imports.run")
    run = ImportRun.objects.without_files().select_for_update().get(pk=run.pk)
    refusal = undo_refusal(run)
    if refusal:
        raise ValidationError(refusal)
    written = ImportedRow.objects.filter(run=run)
    created_ids = list(written.filter(created=True).values_list("lead_id", flat=True))
    member_ids = [m for m in written.values_list("membership_id", flat=True) if m]
    CampaignMember.objects.filter(pk__in=member_ids).delete()
    deleted, lead_type = 0, ContentType.objects.get_for_model(Lead)
    for start in range(0, len(created_ids), 2000):
        chunk = [pk for pk in created_ids[start : start + 2000] if pk]
        deleted += Lead.objects.filter(pk__in=chunk).delete()[1].get("leads.Lead", 0)
        # the removed leads' history (their "created by list import" lines) goes with them
        FieldChange.objects.filter(content_type=lead_type, object_id__in=chunk).delete()
    run.undone_at, run.undone_by = timezone.now(), by
    run.save(update_fields=["undone_at", "undone_by", "updated_at"])
    return deleted
