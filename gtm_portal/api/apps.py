from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "gtm_portal.api"
    label = "api"
    verbose_name = "API"
