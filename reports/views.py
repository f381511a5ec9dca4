from django.template.response import TemplateResponse

from .search import PER_GROUP, global_search


def search(request):
    return TemplateResponse(request, "search.html", {
        **global_search(request.user, request.GET.get("q", "")), "per_group": PER_GROUP})
