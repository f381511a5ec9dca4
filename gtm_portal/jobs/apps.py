from django.apps import AppConfig


class JobsConfig(AppConfig):
    """SPEC §10: the registry of scheduled jobs, their runs, the jobs page and `run_job`.
    Domain apps register their jobs from their `hooks.register()`; this app imports none."""

    name = "gtm_portal.jobs"
    label = "jobs"

    def ready(self):
        from gtm_portal.users.inactivity import inactive_users  # noqa: PLC0415 - models

        from . import scheduler  # noqa: PLC0415 - needs the app registry
        from .registry import Daily, Job, register  # noqa: PLC0415

        register(
            Job(
                "inactive_users",
                "AUTO-7",
                "Users without a login for 45 days warned; deactivated 5 business days later",
                Daily(5, 30),
                inactive_users,
            )
        )
        scheduler.start_in_process_if_wanted()
