from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gtm_portal.core"
    label = "core"

    def ready(self):
        from .labels import connect_signals

        connect_signals()
