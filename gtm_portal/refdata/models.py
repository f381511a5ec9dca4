"""Reference data (SPEC §2): every list, threshold and word list an admin edits in the browser."""

from django.core.exceptions import ValidationError
from django.db import models

from .enums import ReasonKind, Setting, SourceBucket, WordList


class Region(models.Model):
    """REF-1: regions and their sub-regions (AMER → US East, US West, Canada)."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=64)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="subregions"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def top(self) -> "Region":
        return self.parent if self.parent_id else self


class Country(models.Model):
    name = models.CharField(max_length=100, unique=True)
    iso2 = models.CharField(max_length=2, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="countries")
    subregion = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="subregion_countries"
    )
    is_eu_eea = models.BooleanField("EU/EEA (GDPR)", default=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self):
        return self.name


class InitialSource(models.Model):
    """REF-3: inactive values stay valid on existing records but cannot be chosen anew."""

    name = models.CharField(max_length=100, unique=True)
    bucket = models.CharField(max_length=32, choices=SourceBucket.choices)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Reason(models.Model):
    kind = models.CharField(max_length=32, choices=ReasonKind.choices)
    name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="uniq_reason")]

    def __str__(self):
        return self.name


class WordListEntry(models.Model):
    """REF-7 word lists: PubSec indicator words, free and blocked e-mail domains."""

    list = models.CharField(max_length=32, choices=WordList.choices)
    value = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "users.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["list", "value"]
        verbose_name_plural = "word list entries"
        constraints = [models.UniqueConstraint(fields=["list", "value"], name="uniq_word")]

    def __str__(self):
        return f"{self.get_list_display()}: {self.value}"

    def clean(self):
        self.value = (self.value or "").strip()
        if self.list in (WordList.FREE_DOMAIN, WordList.BLOCKED_DOMAIN):
            self.value = self.value.lower().lstrip("@")
            if "." not in self.value or " " in self.value:
                raise ValidationError({"value": "Enter a domain such as example.com."})


class PortalSetting(models.Model):
    """REF-5/REF-7 numeric settings (MQL threshold, fiscal-year start month, limits)."""

    key = models.CharField(max_length=64, unique=True, choices=Setting.choices)
    value = models.IntegerField()

    class Meta:
        ordering = ["key"]

    def __str__(self):
        return f"{self.get_key_display()} = {self.value}"

    def clean(self):
        if self.key == Setting.FISCAL_YEAR_START_MONTH and not 1 <= self.value <= 12:
            raise ValidationError({"value": "A month is a number from 1 to 12."})
        if self.key != Setting.FISCAL_YEAR_START_MONTH and self.value < 0:
            raise ValidationError({"value": "Enter zero or a positive number."})


class Holiday(models.Model):
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["region", "date"], name="uniq_holiday")]

    def __str__(self):
        return f"{self.date} {self.name} ({self.region.code})"


class SeededKey(models.Model):
    """Remembers what load_reference_data created once, so an admin's edits and deletions
    are never overwritten by a later run (CONTRACT 3)."""

    kind = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    seeded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="uniq_seeded_key")]

    def __str__(self):
        return f"{self.kind}:{self.key}"
