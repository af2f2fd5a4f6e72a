"""Grievances through the API: for staff, the rows they may read (for_user) and every step, each
through its service (a refusal: 400 with field errors); for analysts and staff, the figures
(`figures/`), sums of visible cells only (core.suppression)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from accounts.models import Role, User
from accounts.permissions import GRIEVANCE_ROLES
from cantonment.models import Site
from core.api import CodeField
from core.exports import IdentifyingListMixin
from core.models import Region
from core.suppression import HIDDEN_GROUPS, SUPPRESSED
from cvr.models import Project
from ddr.accountability.grievances import selectors, services
from ddr.accountability.grievances.models import (
    Accepted,
    Channel,
    Complainant,
    Grievance,
    GrievanceCategory,
    GrievanceEvent,
    Subject,
    Urgency,
)
from ddr.models import ArmedGroup, Combatant, PaymentLine, SubmittedList
from integration.models import Unit

FIGURE_ROLES = frozenset({*GRIEVANCE_ROLES, Role.ANALYST})


class GrievanceEventSerializer(serializers.ModelSerializer[GrievanceEvent]):
    class Meta:
        model = GrievanceEvent
        fields = ["kind", "at", "note", "by"]
        read_only_fields = fields


class GrievanceSerializer(serializers.ModelSerializer[Grievance]):
    reference = serializers.CharField(read_only=True)
    region = serializers.CharField(source="region.code", read_only=True, allow_null=True, default=None)
    complainant_name = serializers.SerializerMethodField()
    subject_name = serializers.SerializerMethodField()
    events = GrievanceEventSerializer(many=True, read_only=True)

    class Meta:
        model = Grievance
        fields = [
            "id",
            "reference",
            "received_on",
            "channel",
            "complainant_kind",
            "complainant_person",
            "complainant_name",
            "complainant_movement",
            "contact_name",
            "contact_phone",
            "subject_kind",
            "subject_person",
            "subject_name",
            "subject_list",
            "subject_site",
            "subject_unit",
            "subject_project",
            "subject_payment",
            "against",
            "category",
            "sensitive",
            "urgency",
            "region",
            "description",
            "status",
            "assigned_to",
            "acknowledge_by",
            "answer_by",
            "acknowledged_at",
            "acknowledge_overdue",
            "answer_overdue",
            "referred_to",
            "referred_on",
            "resolved_on",
            "answer",
            "accepted",
            "reopen_reason",
            "closed_on",
            "events",
        ]
        read_only_fields = fields

    def _name(self, grievance: Grievance, person: Combatant | None) -> str | None:
        user = self.context["request"].user
        if person is None or not selectors.person_shown(grievance, person, user):
            return None
        return f"{person.registration_number} {person.family_name} {person.given_name}"

    def get_complainant_name(self, grievance: Grievance) -> str | None:
        return self._name(grievance, grievance.complainant_person)

    def get_subject_name(self, grievance: Grievance) -> str | None:
        return self._name(grievance, grievance.subject_person)

    def to_representation(self, instance: Grievance) -> dict[str, Any]:
        data = super().to_representation(instance)
        user = self.context["request"].user
        for key in ("complainant_person", "subject_person"):  # the focal point never gets a child's id
            if not selectors.person_shown(instance, getattr(instance, key), user):
                data[key] = None
        return data


class GrievanceReceiveSerializer(serializers.Serializer[Any]):
    received_on = serializers.DateTimeField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    complainant_kind = serializers.ChoiceField(choices=Complainant.choices)
    complainant_person = serializers.PrimaryKeyRelatedField(
        queryset=Combatant.objects.none(), required=False, allow_null=True, default=None
    )
    complainant_movement = serializers.PrimaryKeyRelatedField(
        queryset=ArmedGroup.objects.all(), required=False, allow_null=True, default=None
    )
    contact_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    subject_kind = serializers.ChoiceField(choices=Subject.choices)
    subject_person = serializers.PrimaryKeyRelatedField(
        queryset=Combatant.objects.none(), required=False, allow_null=True, default=None
    )
    subject_list = serializers.PrimaryKeyRelatedField(
        queryset=SubmittedList.objects.all(), required=False, allow_null=True, default=None
    )
    subject_site = serializers.PrimaryKeyRelatedField(
        queryset=Site.objects.none(), required=False, allow_null=True, default=None
    )
    subject_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.none(), required=False, allow_null=True, default=None
    )
    subject_project = serializers.PrimaryKeyRelatedField(
        queryset=Project.objects.none(), required=False, allow_null=True, default=None
    )
    subject_payment = serializers.PrimaryKeyRelatedField(
        queryset=PaymentLine.objects.none(), required=False, allow_null=True, default=None
    )
    against = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True, default=None
    )
    category = serializers.ChoiceField(choices=GrievanceCategory.choices)
    sensitive = serializers.BooleanField(required=False, default=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, default=Urgency.NORMAL)
    region = CodeField(queryset=Region.objects.all(), required=False, allow_null=True, default=None)
    description = serializers.CharField(max_length=4000)
    acknowledge_by = serializers.DateTimeField(required=False, allow_null=True, default=None)
    answer_by = serializers.DateTimeField(required=False, allow_null=True, default=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:  # the schema's generator: no reader, nothing to scope
            return
        user = request.user
        scoped = {
            "complainant_person": Combatant.objects.for_user(user),
            "subject_person": Combatant.objects.for_user(user),
            "subject_site": Site.objects.for_user(user),
            "subject_unit": Unit.objects.for_user(user),
            "subject_project": Project.objects.for_user(user),
            "subject_payment": PaymentLine.objects.for_user(user),
        }
        for name, queryset in scoped.items():
            self.fields[name].queryset = queryset  # type: ignore[attr-defined]


class AcknowledgeSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AssignSerializer(serializers.Serializer[Any]):
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))


class ReferSerializer(serializers.Serializer[Any]):
    referred_to = serializers.CharField(max_length=200)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ResolveSerializer(serializers.Serializer[Any]):
    answer = serializers.CharField(max_length=4000)
    accepted = serializers.ChoiceField(choices=Accepted.choices, required=False, default=Accepted.UNKNOWN)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ReopenSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500)
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class CloseSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class GrievanceViewSet(
    IdentifyingListMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Grievance]
):
    """Grievances, for the staff who handle them: a regional officer in their region; a sensitive
    one (SEA, GBV, a child) the protection focal point only; never the staff member it is
    against. Out of reach: 404. POST receives one; each step is a POST on the grievance.
    Analysts: 403 (their figures are at `figures/`)."""

    export_name = "api:grievances"
    allowed_roles = GRIEVANCE_ROLES
    write_roles = GRIEVANCE_ROLES
    serializer_class = GrievanceSerializer
    filterset_fields = ["status", "category", "channel", "acknowledge_overdue", "answer_overdue"]
    request: AuthenticatedRequest

    def get_queryset(self) -> Any:
        return (
            selectors.grievances_for(self.request.user)
            .prefetch_related("events")
            .order_by("-received_on", "-id")
        )

    def _answer(self, grievance: Grievance, status: int = 200) -> Response:
        fresh = self.get_queryset().filter(pk=grievance.pk).first()
        if fresh is None:  # now out of the reader's reach (confidential): only its reference
            return Response({"id": grievance.pk, "reference": grievance.reference}, status=status)
        return Response(GrievanceSerializer(fresh, context=self.get_serializer_context()).data, status=status)

    @extend_schema(request=GrievanceReceiveSerializer, responses={201: GrievanceSerializer})
    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        data = GrievanceReceiveSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        grievance = services.grievance_receive(by=request.user, **data.validated_data)
        return self._answer(grievance, 201)

    def _step(
        self, request: AuthenticatedRequest, serializer: type[serializers.Serializer[Any]], service: Any
    ) -> Response:
        grievance = self.get_object()
        data = serializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(service(grievance=grievance, by=request.user, **data.validated_data))

    @extend_schema(request=AcknowledgeSerializer, responses={200: GrievanceSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._step(request, AcknowledgeSerializer, services.grievance_acknowledge)

    @extend_schema(request=AssignSerializer, responses={200: GrievanceSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        grievance = self.get_object()
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(
            services.grievance_assign(grievance=grievance, by=request.user, **data.validated_data)
        )

    @extend_schema(request=ReferSerializer, responses={200: GrievanceSerializer})
    @action(detail=True, methods=["post"])
    def refer(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._step(request, ReferSerializer, services.grievance_refer)

    @extend_schema(request=ResolveSerializer, responses={200: GrievanceSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._step(request, ResolveSerializer, services.grievance_resolve)

    @extend_schema(request=ReopenSerializer, responses={200: GrievanceSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._step(request, ReopenSerializer, services.grievance_reopen)

    @extend_schema(request=CloseSerializer, responses={200: GrievanceSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._step(request, CloseSerializer, services.grievance_close)


class GrievanceFiguresSerializer(serializers.Serializer[Any]):
    total = serializers.IntegerField(help_text=HIDDEN_GROUPS)
    by_channel = serializers.ListField(child=serializers.DictField())
    by_category = serializers.ListField(child=serializers.DictField())
    by_region = serializers.ListField(child=serializers.DictField())
    by_sex = serializers.ListField(child=serializers.DictField())
    by_status = serializers.ListField(child=serializers.DictField())
    resolved = serializers.IntegerField()
    median_days_to_resolution = serializers.FloatField(allow_null=True)
    mean_days_to_resolution = serializers.FloatField(allow_null=True)
    suppressed = serializers.BooleanField(help_text=SUPPRESSED)


class GrievanceFiguresView(APIView):
    """Grievances counted by channel, category, region, sex of the complainant (registered people;
    "unknown" otherwise) and status, and the days to resolution. Analysts read sums of cells of 5
    or more; sensitive grievances (SEA, GBV, a child) are never in a cell below 5, whoever reads.
    No row, ever."""

    allowed_roles = FIGURE_ROLES

    @extend_schema(responses=GrievanceFiguresSerializer)
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(GrievanceFiguresSerializer(selectors.figures(request.user)).data)
