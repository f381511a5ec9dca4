from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Development tools: the benchmark (`manage.py bench`, CONTRACT 5) and the demo-data
    generator (`manage.py seed_demo`, CONTRACT 3/4). They sit on top of every app, as
    reports do; nothing imports them but their own commands and tests."""

    name = "gtm_portal.devtools"
    label = "devtools"
    verbose_name = "Development tools"
