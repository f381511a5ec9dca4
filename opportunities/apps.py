from django.apps import AppConfig


class OpportunitiesConfig(AppConfig):
    name = "opportunities"

    def ready(self):
        from gtm_portal.core import editing

        from .forms import opportunity_editor

        editing.register(opportunity_editor())
