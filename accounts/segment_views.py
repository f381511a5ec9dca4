"""REF-2: the segment thresholds page for Marketing Ops (`/accounts/segments/`)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse

from gtm_portal.core import access

from .forms import SegmentThresholdsForm
from .hierarchy import current_thresholds
from .segment_settings import set_thresholds


def segment_thresholds(request):
    access.require(
        request.user,
        "reference.manage",
        message="REF-2: only Marketing Ops edits the segment thresholds.",
    )
    current = current_thresholds()
    if request.method == "POST":
        form = SegmentThresholdsForm(request.POST)
        if form.is_valid():
            try:
                set_thresholds(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, "Segment thresholds saved; every account's segment is recomputed."
                )
                return HttpResponseRedirect(request.path)
        status = 400
    else:
        form = SegmentThresholdsForm(initial=current.__dict__)
        status = 200
    return TemplateResponse(
        request,
        "accounts/segment_thresholds.html",
        {"form": form, "current": current},
        status=status,
    )
