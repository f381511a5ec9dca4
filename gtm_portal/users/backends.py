from django.contrib.auth.backends import ModelBackend


class PortalUserBackend(ModelBackend):
    """Django's backend, refusing queues (ROLE-4: nobody logs in as a queue)."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not getattr(user, "is_queue", False)
