from django.template.response import TemplateResponse

from .selectors import PER_GROUP, global_search


def search(request):
    """CONTRACT 6 `/search/`: the top bar's search, grouped by record kind."""
    return TemplateResponse(
        request,
        "search.html",
        {**global_search(request.user, request.GET.get("q", "")), "per_group": PER_GROUP},
    )
