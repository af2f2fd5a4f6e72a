"""Appeals API: appeals in your scope, filed against one decision and scheduled, heard, decided or
withdrawn through the same services as the browser (a refusal is a 400 naming the field); the
figures by decision type, outcome and region, for analysts through small-count suppression."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from accounts.models import Role
from core.api import PersonRef
from core.models import Decision as RegisterDecision
from ddr.accountability.appeals import selectors, services
from ddr.accountability.appeals.models import Appeal
from ddr.registration.models import Combatant

FILE, DECIDE = selectors.FILE_ROLES, selectors.DECIDE_ROLES


class AppealSerializer(serializers.ModelSerializer):
    person = PersonRef(source="combatant_id", purpose="appeals")
    movement = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    decision = serializers.SerializerMethodField()
    filed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Appeal
        fields = [
            "id",
            "kind",
            "person",
            "movement",
            "decision",
            "contested_value",
            "region",
            "grounds",
            "filed_on",
            "filed_by",
            "deciding_body",
            "hearing_on",
            "status",
            "decided_by",
            "decided_on",
            "reasons",
            "new_value",
            "ruling",
        ]

    def get_decision(self, appeal: Appeal) -> int | None:
        """The contested record's id in its own endpoint (the person's, for a pathway)."""
        return selectors.a_decision_id(appeal)


class AppealFileSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Appeal.Kind.choices)
    decision = serializers.IntegerField(help_text="The contested record's id (the person's, for a pathway).")
    person = serializers.IntegerField(
        required=False, help_text="For a merge: which of its two records appeals."
    )
    grounds = serializers.CharField()
    filed_on = serializers.DateField()
    deciding_body = serializers.CharField(max_length=200, required=False, default="")


class AppealScheduleSerializer(serializers.Serializer):
    hearing_on = serializers.DateField()
    deciding_body = serializers.CharField(max_length=200)


class AppealDecideSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[Appeal.Status.UPHELD, Appeal.Status.OVERTURNED])
    ruling = serializers.PrimaryKeyRelatedField(
        queryset=RegisterDecision.objects.all(),
        required=False,
        allow_null=True,
        help_text="The decision in the register of decisions that settled the appeal.",
    )
    decided_on = serializers.DateField()
    reasons = serializers.CharField()
    new_value = serializers.CharField(
        required=False,
        default="",
        help_text="Overturned: the new result, age, pathway, list status or rank (nothing for a merge).",
    )


class AppealWithdrawSerializer(serializers.Serializer):
    reasons = serializers.CharField(max_length=500)


class AppealViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Appeals in your scope (a child's: child protection only; a list's: national staff). POST files
    one against a decision; POST `{id}/schedule/`, `{id}/hear/`, `{id}/decide/` (national staff; an
    overturn never by who made the decision, and through that decision's own service),
    `{id}/withdraw/`."""

    allowed_roles = FILE
    write_roles = FILE
    serializer_class = AppealSerializer
    filterset_fields = ["status", "kind"]
    request: AuthenticatedRequest

    def get_queryset(self) -> Any:
        return selectors.appeals_for(self.request.user).order_by("-id")

    def _appeal(self, appeal: Appeal) -> Response:
        return Response(
            AppealSerializer(self.get_queryset().get(pk=appeal.pk), context={"request": self.request}).data
        )

    @extend_schema(request=AppealFileSerializer, responses={201: AppealSerializer})
    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        data = AppealFileSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        person_id = values.pop("person", None)
        person = Combatant.objects.for_user(request.user).filter(pk=person_id).first() if person_id else None
        appeal = services.appeal_file(by=request.user, person=person, **values)
        return Response(AppealSerializer(appeal, context={"request": request}).data, status=201)

    def _decider(self, request: AuthenticatedRequest) -> None:
        if request.user.role not in DECIDE:
            self.permission_denied(request)

    @extend_schema(request=AppealScheduleSerializer, responses=AppealSerializer)
    @action(detail=True, methods=["post"])
    def schedule(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        self._decider(request)
        data = AppealScheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._appeal(
            services.appeal_schedule(appeal=self.get_object(), by=request.user, **data.validated_data)
        )

    @extend_schema(request=None, responses=AppealSerializer)
    @action(detail=True, methods=["post"])
    def hear(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        self._decider(request)
        return self._appeal(services.appeal_hear(appeal=self.get_object(), by=request.user))

    @extend_schema(request=AppealDecideSerializer, responses=AppealSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        self._decider(request)
        data = AppealDecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._appeal(
            services.appeal_decide(appeal=self.get_object(), by=request.user, **data.validated_data)
        )

    @extend_schema(request=AppealWithdrawSerializer, responses=AppealSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: AuthenticatedRequest, pk: Any = None) -> Response:
        data = AppealWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._appeal(
            services.appeal_withdraw(appeal=self.get_object(), by=request.user, **data.validated_data)
        )


class AppealFiguresSerializer(serializers.Serializer):
    suppressed = serializers.BooleanField()
    total = serializers.IntegerField()
    by_kind = serializers.ListField(child=serializers.DictField())
    by_outcome = serializers.ListField(child=serializers.DictField())
    by_region = serializers.ListField(child=serializers.DictField())
    by_kind_and_outcome = serializers.ListField(child=serializers.DictField())


class AppealFiguresView(APIView):
    """Appeals by decision type, outcome (status) and region. For analysts every count is a sum of
    the cells of 5 appeals or more (kind x status x region); other roles read exact counts over
    the appeals they may see."""

    allowed_roles = frozenset({*FILE, Role.ANALYST})

    @extend_schema(operation_id="appeal_figures", responses=AppealFiguresSerializer)
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(AppealFiguresSerializer(selectors.figures(request.user)).data)
