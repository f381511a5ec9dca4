from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "gtm_portal.activity"
    label = "activity"
