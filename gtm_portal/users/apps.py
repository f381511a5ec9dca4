from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "gtm_portal.users"
    label = "users"
