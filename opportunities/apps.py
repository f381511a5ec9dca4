from django.apps import AppConfig


class OpportunitiesConfig(AppConfig):
    name = "opportunities"

    def ready(self):
        from . import hooks  # noqa: PLC0415  models load after the app config

        hooks.register()
