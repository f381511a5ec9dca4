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


class CompPlan(models.Model):
    """REPORT-COMP: a variable-pay plan (reference data an admin edits): base/variable split
    and the parts the variable pay is made of."""

    name = models.CharField(max_length=100, unique=True)
    base_pct = models.DecimalField(max_digits=5, decimal_places=2, default=70)
    variable_pct = models.DecimalField(max_digits=5, decimal_places=2, default=30)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class CompPlanPart(models.Model):
    """REPORT-COMP: one part of a plan's variable pay. Its factor is the attainment, plus
    (multiplier − 1) × the attainment above 100% up to the ceiling; below the floor it pays 0."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", "Individual SAO quota"
        TEAM = "team", "Team SAO quota"
        NET_ARR = "net_arr", "Net ARR"

    plan = models.ForeignKey(CompPlan, on_delete=models.CASCADE, related_name="parts")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    share_pct = models.DecimalField(max_digits=5, decimal_places=2)
    floor_pct = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    ceiling_pct = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    multiplier = models.DecimalField(max_digits=5, decimal_places=3, default=1)

    class Meta:
        ordering = ["plan", "-share_pct", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind"], name="uniq_comp_plan_part"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["individual", "team", "net_arr"]),
                name="comp_part_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.plan}: {self.get_kind_display()} {self.share_pct}%"


class SaoQuota(models.Model):
    """REPORT-REP / REPORT-COMP: a rep's (or a team's) monthly SAO quota, and the plan the rep
    is paid on. `month` is the first day of the month."""

    user = models.ForeignKey(
        "users.User", null=True, blank=True, on_delete=models.CASCADE, related_name="sao_quotas"
    )
    team = models.ForeignKey(
        "users.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="sao_quotas"
    )
    month = models.DateField()
    sao_quota = models.PositiveIntegerField()
    net_arr_quota = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    plan = models.ForeignKey(
        CompPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="quotas"
    )

    class Meta:
        ordering = ["month"]
        constraints = [
            models.UniqueConstraint(fields=["user", "month"], name="uniq_user_quota_month"),
            models.UniqueConstraint(fields=["team", "month"], name="uniq_team_quota_month"),
            models.CheckConstraint(
                condition=(
                    models.Q(user__isnull=False, team__isnull=True)
                    | models.Q(user__isnull=True, team__isnull=False)
                ),
                name="quota_user_or_team",
            ),
        ]

    def __str__(self):
        return f"{self.user or self.team} {self.month:%Y-%m}: {self.sao_quota}"

    def clean(self):
        if self.month and self.month.day != 1:
            raise ValidationError({"month": "Give the first day of the month."})
