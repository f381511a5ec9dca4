from django.apps import AppConfig


class SearchConfig(AppConfig):
    """Global search in the top bar (CONTRACT 6 `/search/`). A leaf next to the frame, like
    the API: it reads the domain models it searches, and nothing imports it."""

    name = "gtm_portal.search"
    label = "search"
    verbose_name = "Search"
