"""REPORT-COMP quarter close: a closed quarter's numbers are frozen, so pay never moves
silently; later edits show as dated adjustment lines (see `queries.comp`)."""

from django.conf import settings
from django.db import models


class QuarterClose(models.Model):
    quarter = models.CharField(max_length=10, unique=True, help_text="FY2027-Q1")
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-quarter"]

    def __str__(self):
        return f"{self.quarter} closed {self.closed_at:%Y-%m-%d}"


class FrozenCompRow(models.Model):
    """One rep's comp numbers as they were when the quarter closed, with the opportunities
    that counted (to explain any later difference)."""

    close = models.ForeignKey(QuarterClose, on_delete=models.CASCADE, related_name="rows")
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    plan = models.CharField(max_length=100)
    values = models.JSONField(help_text="The CSV row's numbers as strings.")
    credited_ids = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["close", "rep"], name="uniq_frozen_comp_row")
        ]

    def __str__(self):
        return f"{self.close.quarter} {self.rep}"
