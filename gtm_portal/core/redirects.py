"""Back to where a form was posted from: the form's `next` when it is a page of this portal
(never another site — an open redirect), else the fallback."""

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def back_to(request, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next") or fallback
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = fallback
    return HttpResponseRedirect(target)
