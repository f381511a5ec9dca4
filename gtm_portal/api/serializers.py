import copy

from rest_framework import serializers

from accounts.models import Account
from leads.enums import FormKind
from leads.models import Campaign, Lead
from leads.services.intake import resolve_country
from opportunities.models import Opportunity


class IntakeSerializer(serializers.Serializer):
    """CONTRACT 6.1 intake submission."""

    submission_id = serializers.CharField(max_length=200)
    form = serializers.ChoiceField(choices=FormKind.choices)
    email = serializers.EmailField(max_length=254)
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=100)
    company = serializers.CharField(max_length=255, required=False, allow_blank=True)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    country = serializers.CharField(max_length=100, required=False, allow_blank=True)
    state = serializers.CharField(max_length=100, required=False, allow_blank=True)
    employees = serializers.IntegerField(
        min_value=0, max_value=10_000_000, required=False, allow_null=True
    )
    website = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    occurred_at = serializers.DateTimeField(required=False, allow_null=True)
    campaign = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def validate_country(self, value):
        if value and resolve_country(value) is None:
            raise serializers.ValidationError("Unknown country; use a country name or ISO code.")
        return value

    def validate_campaign(self, value):
        if value and not Campaign.objects.filter(name=value).exists():
            raise serializers.ValidationError("No campaign has this name.")
        return value

    def validate_submission_id(self, value):
        if not value.strip():
            raise serializers.ValidationError("This field may not be blank.")
        return value.strip()

    def get_fields(self):
        """The declared fields, each a shallow copy bound to this serializer. DRF deep-copies
        them (re-creating every field and its validators from its arguments), two thirds of
        validating a submission (Q-PERF intake); the fields keep no state of their own
        between uses, so a copy whose binding is its own is enough."""
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}


class IntakeAnswerSerializer(serializers.Serializer):
    person = serializers.DictField(allow_null=True)
    status = serializers.CharField(allow_null=True)
    person_score = serializers.IntegerField(allow_null=True)
    owner = serializers.DictField()
    routing = serializers.DictField(allow_null=True)
    sla_due = serializers.DateTimeField(allow_null=True)


def owner_name(user):
    if user is None:
        return None
    return user.display_name if user.is_queue else user.username


class RoutingLogSerializer(serializers.Serializer):
    rule = serializers.CharField()
    owner = serializers.SerializerMethodField()
    pool = serializers.SerializerMethodField()
    explanation = serializers.ListField(child=serializers.CharField())
    sla_due = serializers.DateTimeField(allow_null=True)
    trigger = serializers.CharField()
    decided_at = serializers.DateTimeField()

    def get_owner(self, obj) -> str | None:
        return owner_name(obj.owner)

    def get_pool(self, obj) -> str | None:
        return obj.pool.name if obj.pool_id else None


class LeadSerializer(serializers.ModelSerializer):
    """CONTRACT 6.3 lead: id, name, owner, email, status, person_score, initial_source,
    mql_date, routing_log (newest first) and the main fields."""

    name = serializers.CharField()
    owner = serializers.SerializerMethodField()
    initial_source = serializers.CharField(source="initial_source.name")
    country = serializers.CharField(source="country.name", allow_null=True, default=None)
    matched_account = serializers.PrimaryKeyRelatedField(read_only=True)
    routing_log = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()

    class Meta:
        model = Lead
        fields = (
            "id",
            "name",
            "owner",
            "email",
            "status",
            "person_score",
            "behaviour_score",
            "demographic_score",
            "initial_source",
            "lead_source",
            "mql_date",
            "mql_count",
            "first_name",
            "last_name",
            "title",
            "company",
            "phone",
            "country",
            "employees",
            "matched_account",
            "is_hot",
            "sla_due",
            "active_until",
            "last_interesting_moment",
            "last_interesting_moment_at",
            "created_at",
            "updated_at",
            "routing_log",
        )

    def get_owner(self, obj) -> str | None:
        return owner_name(obj.owner)

    def get_phone(self, obj) -> str:
        """LEAD-DNC-1: a number on an external do-not-call list is not given out."""
        return obj.shown_number("phone")

    def get_routing_log(self, obj) -> list[dict]:
        return RoutingLogSerializer(obj.routing_rows, many=True).data


class OrderSerializer(serializers.Serializer):
    """CONTRACT 6.2 web-direct order."""

    invoice_number = serializers.CharField(max_length=100)
    subscription_id = serializers.CharField(max_length=100)
    company = serializers.CharField(max_length=255)
    website = serializers.CharField(max_length=255, required=False, allow_blank=True)
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=100)
    email = serializers.EmailField(max_length=254)
    plan = serializers.CharField(max_length=50, required=False, allow_blank=True)
    seats = serializers.IntegerField(
        min_value=1, max_value=10_000_000, required=False, allow_null=True
    )
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    order_date = serializers.DateField()


class OrderAnswerSerializer(serializers.Serializer):
    account_id = serializers.IntegerField()
    contact_id = serializers.IntegerField()
    opportunity_id = serializers.IntegerField()
    created_account = serializers.BooleanField()
    possible_duplicate_of = serializers.IntegerField(allow_null=True)


class AccountSerializer(serializers.ModelSerializer):
    """CONTRACT 6.3 account: id, name, owner, domain, segment, bdr_assigned,
    bdr_prospecting_status and the main fields."""

    owner = serializers.SerializerMethodField()
    bdr_assigned = serializers.SerializerMethodField()

    class Meta:
        model = Account
        fields = (
            "id",
            "name",
            "owner",
            "domain",
            "segment",
            "bdr_assigned",
            "bdr_prospecting_status",
            "type",
            "employees",
            "actively_working_since",
            "parent",
            "ultimate_parent",
            "total_carr",
            "paid_tier",
            "first_order_available",
            "is_public_sector",
            "created_at",
            "updated_at",
        )

    def get_owner(self, obj) -> str | None:
        return owner_name(obj.owner)

    def get_bdr_assigned(self, obj) -> str | None:
        return obj.bdr_assigned.username if obj.bdr_assigned_id else None


class OpportunitySerializer(serializers.ModelSerializer):
    """CONTRACT 6.3 opportunity."""

    owner = serializers.SerializerMethodField()
    sdr_bdr = serializers.SerializerMethodField()

    class Meta:
        model = Opportunity
        fields = (
            "id",
            "name",
            "owner",
            "account",
            "stage",
            "order_type",
            "type",
            "iacv",
            "initial_iacv",
            "amount",
            "sdr_bdr",
            "sales_accepted_date",
            "sales_qualified",
            "sales_qualified_date",
            "sales_qualification_source",
            "close_date",
            "closed_at",
            "possible_duplicate_of",
            "created_at",
            "updated_at",
        )

    def get_owner(self, obj) -> str | None:
        return owner_name(obj.owner)

    def get_sdr_bdr(self, obj) -> str | None:
        return obj.sdr_bdr.username if obj.sdr_bdr_id else None
