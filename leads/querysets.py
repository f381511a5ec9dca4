from django.db import models

from .enums import OPEN_LEAD_STATUSES


class LeadQuerySet(models.QuerySet):
    def visible_to(self, user):
        """ROLE-3: everyone may read every record (internal portal); merged leads are
        tombstones that redirect, so they are not listed."""
        return self.filter(merged_into__isnull=True)

    def open(self):
        return self.filter(status__in=OPEN_LEAD_STATUSES)

    def not_test(self):
        """LEAD-TEST: title exactly `Test` is a test record."""
        return self.exclude(title="Test")
