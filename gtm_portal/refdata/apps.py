from django.apps import AppConfig


class RefdataConfig(AppConfig):
    name = "gtm_portal.refdata"
    label = "refdata"
