"""REF-2: the segment thresholds are reference data (PortalSetting rows Marketing Ops edits on
`/accounts/segments/` or in the admin); a change recomputes every account's segment (ACCT-SEG)
in the task queue."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from gtm_portal.core import access
from gtm_portal.refdata.models import PortalSetting

from . import tasks
from .hierarchy import THRESHOLD_KEYS as KEYS
from .hierarchy import current_thresholds
from .segments import Thresholds


@transaction.atomic
def set_thresholds(*, by, large: int, mid_market: int, smb: int) -> Thresholds:
    """REF-2: Marketing Ops sets the three thresholds; refused (nothing written) for anyone
    else or for thresholds that do not rise. A change queues the segment recompute."""
    if not access.can(by, "reference.manage"):
        raise PermissionDenied("REF-2: only Marketing Ops edits the segment thresholds.")
    new = Thresholds(large=large, mid_market=mid_market, smb=smb)
    problem = new.problem()
    if problem:
        raise ValidationError(problem, code="REF-2")
    old = current_thresholds()
    for key, field in KEYS.items():
        PortalSetting.objects.update_or_create(key=key, defaults={"value": getattr(new, field)})
    if new != old:
        queue_recompute()
    return new


def check_setting(key: str, value: int) -> None:
    """REF-2 for one threshold edited alone (the admin): the three must still rise."""
    if key not in KEYS:
        return
    problem = Thresholds(**{**current_thresholds().__dict__, KEYS[key]: value}).problem()
    if problem:
        raise ValidationError({"value": problem}, code="REF-2")


def setting_changed(key: str) -> None:
    """After a PortalSetting was saved: a segment threshold queues the recompute."""
    if key in KEYS:
        queue_recompute()


def queue_recompute() -> None:
    transaction.on_commit(tasks.recompute_segments.delay)
