from django.db import models


class AccountQuerySet(models.QuerySet):
    def visible_to(self, user):
        """ROLE-3: every logged-in user reads every account; merged ones redirect."""
        return self.filter(merged_into__isnull=True)


class ContactQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(merged_into__isnull=True)
