"""Follow-ups through the API: the list of case staff (scoped like the person) and the recording
of a visit, which answers with the verdict of the rules in force on its date."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.http import AuthenticatedRequest
from accounts.permissions import REINTEGRATION_ROLES
from core.exports import IdentifyingListMixin
from ddr.reintegration.followup import selectors, services
from ddr.reintegration.followup.models import Acceptance, FollowUp, IncomeBand

SHOW: dict[str, dict[str, Any]] = {
    "due": {"status": FollowUp.Status.PLANNED, "overdue": False},
    "overdue": {"status": FollowUp.Status.PLANNED, "overdue": True},
    "done": {"status__in": (FollowUp.Status.DONE, FollowUp.Status.MISSED)},
}


class FollowUpSerializer(serializers.ModelSerializer[FollowUp]):
    registration_number = serializers.CharField(source="combatant.registration_number", read_only=True)
    region = serializers.CharField(source="combatant.region.code", read_only=True)
    package = serializers.CharField(source="enrolment.package.code", read_only=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "combatant",
            "registration_number",
            "region",
            "enrolment",
            "package",
            "month",
            "due_on",
            "status",
            "overdue",
            "done_on",
            "mode",
            "activity_running",
            "income",
            "acceptance",
            "security_incident",
            "needs",
        ]
        read_only_fields = fields


class FollowUpRecordSerializer(serializers.Serializer[Any]):
    done_on = serializers.DateField()
    mode = serializers.ChoiceField(choices=FollowUp.Mode.choices)
    status = serializers.ChoiceField(
        choices=[FollowUp.Status.DONE, FollowUp.Status.MISSED], default=FollowUp.Status.DONE
    )
    activity_running = serializers.BooleanField(required=False, allow_null=True, default=None)
    income = serializers.ChoiceField(choices=IncomeBand.choices, required=False, default="")
    acceptance = serializers.ChoiceField(choices=Acceptance.choices, required=False, default="")
    security_incident = serializers.BooleanField(required=False, allow_null=True, default=None)
    needs = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class VerdictSerializer(serializers.Serializer[Any]):
    reintegrated = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Codes (rules.REASONS).")
    explanation = serializers.ListField(child=serializers.CharField())
    rules = serializers.CharField(help_text="The version of the rules that decided.")


class RecordedSerializer(serializers.Serializer[Any]):
    follow_up = FollowUpSerializer()
    verdict = VerdictSerializer(allow_null=True)
    person_reintegrated = serializers.BooleanField(help_text="The person was moved to reintegrated.")


class FollowUpViewSet(IdentifyingListMixin, viewsets.ReadOnlyModelViewSet[FollowUp]):
    """Follow-ups of enrolled people, for reintegration staff (a regional officer: their region; a
    child's never). Rows name people by registration number: logged, throttled, bulk reads need a
    purpose. Analysts read outcomes as aggregates elsewhere: 403."""

    export_name = "api:follow-ups"
    allowed_roles = REINTEGRATION_ROLES
    write_roles = REINTEGRATION_ROLES
    serializer_class = FollowUpSerializer

    def get_queryset(self) -> Any:
        follow_ups = selectors.follow_ups_for(self.request.user).order_by("due_on", "id")
        if self.action != "list":
            return follow_ups
        show = self.request.query_params.get("show", "")
        if show in SHOW:
            follow_ups = follow_ups.filter(**SHOW[show])
        if region := self.request.query_params.get("region"):
            follow_ups = follow_ups.filter(combatant__region__code=region)
        return follow_ups

    @extend_schema(
        parameters=[
            OpenApiParameter("show", str, enum=list(SHOW), description="due, overdue or done (default: all)"),
            OpenApiParameter("region", str, description="Region code, e.g. GAO."),
        ]
    )
    def list(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=FollowUpRecordSerializer, responses={200: RecordedSerializer})
    @action(detail=True, methods=["post"])
    def record(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Record what the follow-up found (`status` done) or that the person was not found
        (`missed`); a follow-up by phone is `mode` phone. Refused (400) before the enrolment, in
        the future, twice, or after a dropout. A "reinserted" person whom the rules in force on
        `done_on` call reintegrated is moved to "reintegrated"."""
        follow_up = self.get_object()
        data = FollowUpRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        recorded = services.follow_up_record(follow_up=follow_up, by=request.user, **data.validated_data)
        verdict = recorded.verdict
        body = {
            "follow_up": recorded.follow_up,
            "verdict": None
            if verdict is None
            else {
                "reintegrated": verdict.reintegrated,
                "reasons": list(verdict.reasons),
                "explanation": list(recorded.explanation),
                "rules": verdict.rules,
            },
            "person_reintegrated": recorded.reintegrated,
        }
        return Response(RecordedSerializer(body).data)
