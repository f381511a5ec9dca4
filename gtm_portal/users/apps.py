from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "gtm_portal.users"
    label = "users"

    def ready(self):
        from . import throttle  # noqa: F401  (connects the log-in signal receivers)
