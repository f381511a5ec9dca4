from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from accounts.models import Account
from gtm_portal.core.input_guard import BAD_CHARACTERS, bad_text
from gtm_portal.core.models import email_is
from leads.models import Lead, RoutingDecision
from leads.services import intake
from leads.services.orders import submit_order
from opportunities.models import Opportunity

from .authentication import HashedTokenAuthentication
from .permissions import TokenRateThrottle, TokenScope
from .serializers import (
    AccountSerializer,
    IntakeAnswerSerializer,
    IntakeSerializer,
    LeadSerializer,
    OpportunitySerializer,
    OrderAnswerSerializer,
    OrderSerializer,
)


def _text(message) -> str:
    """A message as JSON can carry it: a refused value echoed back may hold a lone
    surrogate, which no encoding writes (Q-SAFE)."""
    return BAD_CHARACTERS.sub("?", str(message))


def field_errors(errors: dict) -> dict:
    return {
        _text(k): [_text(m) for m in (v if isinstance(v, list) else [v])] for k, v in errors.items()
    }


def error_body(exc) -> dict:
    """CONTRACT 6: every refusal answers {"errors": {field: [messages]}}."""
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    if isinstance(detail, dict):
        return {"errors": field_errors(detail)}
    if isinstance(detail, list):
        return {"errors": {"non_field_errors": [_text(m) for m in detail]}}
    return {"errors": {"detail": [_text(detail)]}}


def api_exception_handler(exc, context):

    response = exception_handler(exc, context)
    if response is not None:
        response.data = error_body(exc)
    return response


class MachineEndpoint(APIView):
    authentication_classes = [HashedTokenAuthentication]
    permission_classes = [TokenScope]
    throttle_classes = [TokenRateThrottle]


class IntakeView(MachineEndpoint):
    """INTAKE-1..4: a web-form or marketing-tool submission."""

    token_scopes = ("intake",)

    @extend_schema(
        request=IntakeSerializer,
        responses={201: IntakeAnswerSerializer, 200: IntakeAnswerSerializer},
    )
    def post(self, request):
        data = request.data
        if not isinstance(data, dict):
            raise exceptions.ValidationError({"non_field_errors": ["Send a JSON object."]})
        serializer = IntakeSerializer(data=data)
        token_name = request.user.token.name
        if not serializer.is_valid():
            errors = field_errors(serializer.errors)
            intake.log_refusal(
                data={
                    k: v
                    for k, v in data.items()
                    if isinstance(k, str) and isinstance(v, str | int | float | bool | type(None))
                },
                token_name=token_name,
                status=400,
                errors=errors,
            )
            return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
        try:
            answer = intake.submit(serializer.validated_data, token_name=token_name)
        except intake.Refused as refused:
            return Response(refused.body, status=refused.status)
        return Response(answer.body, status=answer.status)


def with_routing(leads: list[Lead]) -> list[Lead]:
    by_lead: dict[int, list] = {lead.pk: [] for lead in leads}
    for row in (
        RoutingDecision.objects.filter(lead_id__in=by_lead)
        .select_related("owner", "pool")
        .order_by("-decided_at", "-id")
    ):
        by_lead[row.lead_id].append(row)
    for lead in leads:
        lead.routing_rows = by_lead[lead.pk]
    return leads


class ReadEndpoint(APIView):
    """CONTRACT 6.3: session users (everyone reads every record) or tokens with scope read."""

    authentication_classes = [HashedTokenAuthentication, SessionAuthentication]
    permission_classes = [TokenScope]
    throttle_classes = [TokenRateThrottle]
    token_scopes = ("read",)
    allow_session = True


class LeadDetailView(ReadEndpoint):
    @extend_schema(responses=LeadSerializer)
    def get(self, request, pk: int):
        lead = (
            Lead.objects.select_related("owner", "initial_source", "country").filter(pk=pk).first()
        )
        if lead is None:
            raise Http404
        return Response(LeadSerializer(with_routing([lead])[0]).data)


class LeadListView(ReadEndpoint):
    @extend_schema(
        parameters=[OpenApiParameter("email", str, required=True)],
        responses=inline_serializer("LeadList", {"results": LeadSerializer(many=True)}),
        operation_id="leads_list",
    )
    def get(self, request):
        email = (request.query_params.get("email") or "").strip()
        if not email:
            raise exceptions.ValidationError({"email": ["Give ?email=<e-mail>."]})
        if reason := bad_text(email):
            raise exceptions.ValidationError({"email": [reason]})
        leads = list(
            Lead.objects.select_related("owner", "initial_source", "country")
            .filter(email_is(email))
            .order_by("pk")[:100]
        )
        return Response({"results": LeadSerializer(with_routing(leads), many=True).data})


class OrdersView(MachineEndpoint):
    """ORDER-1/2: a web-direct order; idempotent by invoice number."""

    token_scopes = ("orders",)

    @extend_schema(
        request=OrderSerializer, responses={201: OrderAnswerSerializer, 200: OrderAnswerSerializer}
    )
    def post(self, request):

        if not isinstance(request.data, dict):
            raise exceptions.ValidationError({"non_field_errors": ["Send a JSON object."]})
        serializer = OrderSerializer(data=request.data)
        if not serializer.is_valid():
            return Response(
                {"errors": field_errors(serializer.errors)}, status=status.HTTP_400_BAD_REQUEST
            )
        code, body = submit_order(serializer.validated_data)
        return Response(body, status=code)


class AccountDetailView(ReadEndpoint):
    @extend_schema(responses=AccountSerializer)
    def get(self, request, pk: int):

        account = Account.objects.select_related("owner", "bdr_assigned").filter(pk=pk).first()
        if account is None:
            raise Http404
        return Response(AccountSerializer(account).data)


class OpportunityDetailView(ReadEndpoint):
    @extend_schema(responses=OpportunitySerializer)
    def get(self, request, pk: int):

        opp = Opportunity.objects.select_related("owner", "sdr_bdr").filter(pk=pk).first()
        if opp is None:
            raise Http404
        return Response(OpportunitySerializer(opp).data)
