from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Read-only report pages over the other apps (STYLE 1): nothing imports reports."""

    name = "reports"

    def ready(self):
        from . import hooks  # noqa: PLC0415  models load after the app config

        hooks.register()
