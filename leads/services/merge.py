"""LEAD-MERGE-1: merge 2–3 leads, or a lead into a contact. The user picks the surviving value
field by field; the initial source and created date come from the oldest record; everything
related moves to the survivor; the merged records keep a tombstone that redirects. One
transaction; a history entry on the survivor says what came from where."""

import datetime
from dataclasses import dataclass
from typing import cast

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Contact
from gtm_portal.core import access, history
from gtm_portal.core.first_touch import minutes_to_first_touch
from gtm_portal.core.input_guard import parse_id
from gtm_portal.core.meta import concrete_field
from gtm_portal.core.models import Tombstone

from ..models import CampaignMember, Lead, ScoreEvent
from ..rule_context import Context
from .person_rows import SPAM_CAMPAIGN, move_person_rows, person_kind, save_person
from .scoring import apply_automatic_status, evaluate_demographics, route_new_mqls

RULE = "LEAD-MERGE-1"
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)

# The fields the user chooses between, in page order.
CHOOSABLE = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "mobile",
    "title",
    "company",
    "website",
    "linkedin_url",
    "employees",
    "country",
    "state",
    "city",
    "address1",
    "address2",
    "postal_code",
    "region",
    "description",
    "lead_source",
    "owner",
    "bant_budget",
    "bant_authority",
    "bant_need",
    "bant_timeline",
    "partner_prospecting_status",
    "is_core_user",
    "setup_for_team",
    "is_hot",
)
# Restrictions are never lost in a merge: if any record has them, the survivor has them.
ANY_TRUE = ("do_not_call", "phone_dnc", "mobile_dnc", "email_opt_out", "is_inactive", "gdpr_opt_in")


@dataclass
class FieldChoice:
    name: str
    label: str
    values: list  # (record key, display value, raw empty?) per record
    chosen: str  # key ("lead-12", "contact-7") of the record chosen by default
    differs: bool


def _refuse(message: str):
    raise ValidationError(f"{RULE}: {message}", code=RULE)


def load_records(lead_ids, contact_id=None):
    """The records a merge asks for, in the order given, refusing what cannot be merged."""
    ids = [parse_id(i) for i in lead_ids]
    if None in ids:
        _refuse("ids: choose leads by their ids.")
    if len(set(ids)) != len(ids):
        _refuse("the same lead is chosen twice.")
    leads = Lead.objects.select_related("owner", "initial_source", "country", "region").in_bulk(ids)
    missing = [i for i in ids if i not in leads]
    if missing:
        _refuse(f"lead {missing[0]} does not exist.")
    records = [leads[i] for i in ids]
    if contact_id:
        if parse_id(contact_id) is None:
            _refuse("contact: choose a contact by its id.")
        contact = (
            Contact.objects.select_related(
                "owner", "initial_source", "country", "region", "account"
            )
            .filter(pk=contact_id)
            .first()
        )
        if contact is None:
            _refuse(f"contact {contact_id} does not exist.")
        if len(records) != 1:
            _refuse("merge one lead into a contact at a time.")
        records = [contact] + records
    elif not 2 <= len(records) <= 3:
        _refuse("choose 2 or 3 leads.")

    spam = set(
        CampaignMember.objects.filter(
            campaign__name=SPAM_CAMPAIGN, lead_id__in=[r.pk for r in records if isinstance(r, Lead)]
        ).values_list("lead_id", flat=True)
    )
    for r in records:
        if r.merged_into_id:
            _refuse(f"{r.name} was already merged into another record.")
        if isinstance(r, Lead) and r.pk in spam:
            _refuse(f"{r.name} is marked for SPAM DELETION (LEAD-SPAM-1); it is not merged.")
        if isinstance(r, Lead) and r.converted_at:
            _refuse(f"{r.name} is converted (LEAD-STATUS 10); merge its contact instead.")
    return records


def key(record) -> str:
    """A record's identity on the merge page: a lead and a contact may share an id."""
    return f"{person_kind(record)}-{record.pk}"


def fields_for(records) -> list[str]:
    """Into a contact, the company is the account's and the owner follows CONTACT-OWNER, so
    neither is chosen."""
    is_contact = isinstance(records[0], Contact)
    return [f for f in CHOOSABLE if not (is_contact and f in ("company", "owner"))]


def choices(records, survivor) -> list[FieldChoice]:
    """The side-by-side table: each field's value per record; the survivor's value is chosen
    unless it is empty and another record has one."""
    out = []
    for name in fields_for(records):
        field = concrete_field(Lead, name)
        values = [
            (
                key(r),
                r.HIDDEN_NUMBER if r.number_hidden(name) else history.display_value(r, name),
                _empty(r, name),
            )
            for r in records
        ]
        chosen = key(survivor)
        if _empty(survivor, name):
            chosen = next((k for k, _v, empty in values if not empty), key(survivor))
        out.append(
            FieldChoice(
                name=name,
                label=str(field.verbose_name).capitalize(),
                values=values,
                chosen=chosen,
                differs=len({v for _pk, v, _e in values}) > 1,
            )
        )
    return out


def _empty(record, name) -> bool:
    value = history.raw_value(record, name)
    return value in (None, "", False) or (name.startswith("bant_") and value == "unknown")


@dataclass(frozen=True)
class Merged:
    survivor: object
    moved: dict  # table → rows moved onto the survivor


@transaction.atomic
def merge_people(*, records, survivor_pk: int, picks: dict[str, str], by, ctx=None) -> Merged:
    """Merge `records` (from `load_records`) into the lead with `survivor_pk` (a contact is
    always the survivor). `picks` maps a field to the key (`key()`) of the record whose value
    survives (missing fields: the survivor's, or the first non-empty). Refuses, changing
    nothing, when `by` may not edit every record."""
    for r in records:
        if not access.can(by, "person.edit", r):
            _refuse(
                f"you may not edit {r.name} (owned by "
                f"{r.owner.label if r.owner_id else 'nobody'}); ask its owner, their manager, "
                "Marketing Ops or Sales Support."
            )
    into_contact = isinstance(records[0], Contact)
    if not into_contact and survivor_pk not in {r.pk for r in records}:
        _refuse("choose the surviving record among the records merged.")
    fresh = _lock_fresh(records, by)
    survivor = fresh[0] if into_contact else next(r for r in fresh if r.pk == survivor_pk)
    others = [r for r in fresh if r is not survivor]
    label = {key(r): f"{person_kind(r)} #{r.pk}" for r in fresh}
    fields = history.tracked_fields(type(survivor))
    before, before_display = (
        history.snapshot(survivor, fields),
        history.display_snapshot(survivor, fields),
    )
    came_from = _take_picked_values(survivor, fresh, picks, label)
    oldest = oldest_record(fresh)
    _combine(survivor, fresh, oldest)
    moved: dict = {}
    for other in others:
        for table_name, n in move_person_rows(source=other, target=survivor).items():
            moved[table_name] = moved.get(table_name, 0) + n
    survivor.derive()
    ctx = ctx or Context()
    mql_before = survivor.mql_count
    _score_merged(survivor, ctx)
    reason = (
        f"{RULE}: merged {', '.join(f'{label[key(o)]} ({o.name})' for o in others)} "
        f"into this record; initial source and created date from {label[key(oldest)]}"
        + (f"; {'; '.join(came_from)}" if came_from else "")
    )
    changed = set(fields) | {
        "email_domain",
        "behaviour_score",
        "demographic_score",
        "person_score",
        "last_interesting_moment",
        "last_interesting_moment_at",
        "first_touch_minutes",
    }
    changed.discard("merged_into")
    save_person(survivor, before, before_display, by=by, reason=reason, fields=changed)
    if oldest is not survivor:
        type(survivor).objects.filter(pk=survivor.pk).update(created_at=oldest.created_at)
    for other in others:
        _retire(other, survivor, by=by, reason=f"{RULE}: merged into {label[key(survivor)]}")
    if survivor.mql_count > mql_before:
        route_new_mqls([survivor], path=f"{RULE}: the merged score reached MQL", by=by)
    survivor.refresh_from_db()
    return Merged(survivor=survivor, moved=moved)


def _lock_fresh(records, by) -> list:
    """The records locked in a fixed order and read again under the lock (Q-CONC); refused
    when one was merged, converted or changed hands meanwhile."""
    model_rows = {}
    for model in (Contact, Lead):
        pks = sorted(r.pk for r in records if isinstance(r, model))
        if pks:
            locked = model.objects.select_for_update().filter(pk__in=pks).order_by("pk")
            model_rows[model] = {p.pk: p for p in locked}
    fresh = [model_rows[type(r)][r.pk] for r in records]
    for r in fresh:
        if r.merged_into_id or (isinstance(r, Lead) and r.converted_at):
            _refuse(f"{r.name} changed meanwhile (merged or converted); reload the page.")
        if not access.can(by, "person.edit", r):
            _refuse(f"{r.name} changed hands meanwhile; you may not edit it now.")
    return fresh


def _take_picked_values(survivor, fresh, picks: dict, label: dict) -> list[str]:
    """The chosen value of each field onto the survivor; says where each came from."""
    by_key = {key(r): r for r in fresh}
    came_from = []
    for choice in choices(fresh, survivor):
        source = by_key.get(picks.get(choice.name, choice.chosen))
        if source is None:
            _refuse(f"the value for {choice.label} must come from one of the merged records.")
        if source is not survivor:
            setattr(survivor, choice.name, getattr(source, choice.name))
            came_from.append(f"{choice.label} from {label[key(source)]}")
    return came_from


def oldest_record(records):
    """LEAD-MERGE-1: the oldest of the records (created first; the lower id on a tie), whose
    initial source and created date the merge keeps."""
    return min(records, key=lambda r: (r.created_at, r.pk))


def _combine(survivor, fresh, oldest) -> None:
    """LEAD-MERGE-1: the oldest record's initial source; flags that any record has; the
    widest opt-out and active windows; the first MQL and touch, and the business minutes
    between them (ROUTE-4); counts and scores added; the latest interesting moment."""
    survivor.initial_source_id = oldest.initial_source_id
    for name in ANY_TRUE:
        setattr(survivor, name, any(getattr(r, name) for r in fresh))
    survivor.opt_out_until = max((r.opt_out_until for r in fresh if r.opt_out_until), default=None)
    survivor.active_until = max((r.active_until for r in fresh if r.active_until), default=None)
    survivor.mql_date = min((r.mql_date for r in fresh if r.mql_date), default=None)
    survivor.first_touch_at = min(
        (r.first_touch_at for r in fresh if r.first_touch_at), default=None
    )
    survivor.first_touch_minutes = minutes_to_first_touch(
        survivor.mql_date, survivor.first_touch_at, survivor.owner
    )
    survivor.mql_count = sum(r.mql_count for r in fresh)
    survivor.behaviour_score = sum(r.behaviour_score for r in fresh)
    survivor.demographic_score = sum(r.demographic_score for r in fresh)
    latest = max(fresh, key=lambda r: r.last_interesting_moment_at or EPOCH)
    survivor.last_interesting_moment = latest.last_interesting_moment
    survivor.last_interesting_moment_at = latest.last_interesting_moment_at


def _score_merged(survivor, ctx) -> None:
    """Demographic rules count once on the merged person (each record earned them
    separately); then the status machine (LEAD-STATUS 2: the sum may reach MQL)."""
    corrections = evaluate_demographics(survivor, ctx, timezone.now())
    for event in corrections:
        event.rule_name = f"{event.rule_name} (merge: counted once)"[:200]
    ScoreEvent.objects.bulk_create(corrections)
    survivor.person_score = survivor.behaviour_score + survivor.demographic_score
    apply_automatic_status(survivor, ctx)


def _retire(other, survivor, *, by, reason: str) -> None:
    """The merged record points at the survivor (a lead merged; a lead into a contact is
    converted) and keeps a tombstone that redirects there."""
    now = timezone.now()
    o_before = history.snapshot(other, ["merged_into", "converted_contact"])
    o_display = history.display_snapshot(other, ["merged_into", "converted_contact"])
    if isinstance(survivor, Lead):
        other.merged_into = survivor
        other.save(update_fields=["merged_into", "updated_at"])
    else:
        other.converted_contact, other.converted_account = survivor, survivor.account
        other.converted_at = now
        other.save(
            update_fields=["converted_contact", "converted_account", "converted_at", "updated_at"]
        )
    history.record_changes(other, o_before, o_display, by=by, reason=reason)
    Tombstone.objects.create(
        content_type=ContentType.objects.get_for_model(type(other)),
        object_id=other.pk,
        reason=Tombstone.Reason.MERGED,
        redirect_content_type=ContentType.objects.get_for_model(type(survivor)),
        redirect_object_id=survivor.pk,
        processed_by=by if getattr(by, "pk", None) else None,
        processed_at=now,
    )


def merged_target_url(obj) -> str | None:
    """Where a merged record's page redirects (its tombstone), or None."""
    if not (getattr(obj, "merged_into_id", None) or getattr(obj, "converted_at", None)):
        return None
    if getattr(obj, "merged_into_id", None):
        return obj.merged_into.get_absolute_url()
    stone = (
        Tombstone.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)),
            object_id=obj.pk,
            reason=Tombstone.Reason.MERGED,
        )
        .select_related("redirect_content_type")
        .first()
    )
    if stone is None or stone.redirect_content_type is None:
        return None
    target = stone.redirect_content_type.get_object_for_this_type(pk=stone.redirect_object_id)
    return cast(Lead | Contact, target).get_absolute_url()  # a merge redirects to a person
