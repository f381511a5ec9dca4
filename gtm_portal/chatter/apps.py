from django.apps import AppConfig


class ChatterConfig(AppConfig):
    name = "gtm_portal.chatter"
    label = "chatter"
