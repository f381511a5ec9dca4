from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"

    def ready(self):
        from gtm_portal.core.recordpage import register_person_actions

        from .forms import person_actions

        register_person_actions(person_actions)
