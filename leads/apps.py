from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"

    def ready(self):
        from gtm_portal.core import editing
        from gtm_portal.core.recordpage import register_person_actions, register_tab

        from . import hooks
        from .forms import person_actions, person_editors
        from .reference_snapshot import connect_signals
        from .selectors import routing_tab, score_tab
        from .services.lifecycle import connect_signals as connect_lifecycle

        connect_signals()
        connect_lifecycle()
        hooks.register()
        register_person_actions(person_actions)
        register_tab("score", score_tab)
        register_tab("routing", routing_tab)
        for editor in person_editors():
            editing.register(editor)
