from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gtm_portal.core"
    label = "core"
