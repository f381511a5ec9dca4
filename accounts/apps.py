from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        from gtm_portal.core import editing

        from .forms import account_editor

        editing.register(account_editor())
