"""CVR API: projects with their mix and alerts, partners and consortia, beneficiaries
(pseudonymised for analysts), and the mix per project and overall."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.http import AuthenticatedRequest
from accounts.permissions import ALL_ROLES, CASE_ROLES, MASTER_DATA_EDIT_ROLES, REGISTER_ROLES
from core.api import CodeField, PersonRef, ScopedPrimaryKeyField
from core.exports import IdentifyingListMixin
from core.models import Region
from core.suppression import HIDDEN_GROUPS, for_analyst, visible
from cvr import selectors, services
from cvr.models import Beneficiary, Committee, Consortium, Partner, Project
from cvr.models.beneficiaries import AgeBand
from ddr.models import Combatant, Sex


class ProjectSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    partner = serializers.StringRelatedField()
    consortium = serializers.StringRelatedField()
    sop = serializers.StringRelatedField()
    budget_year = serializers.CharField(read_only=True)
    # Whether the analyses were written (recommendations X and XI), not their text: it may name people.
    political_economy_recorded = serializers.SerializerMethodField()
    risk_analysis_recorded = serializers.SerializerMethodField()
    consultations = serializers.IntegerField(source="consultation_count", read_only=True)
    weapons_collected = serializers.IntegerField(source="weapons_collected_count", read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "title",
            "kind",
            "with_wam",
            "status",
            "region",
            "commune",
            "village",
            "latitude",
            "longitude",
            "partner",
            "consortium",
            "budget_usd",
            "funding",
            "start",
            "end",
            "budget_year",
            "actual_start",
            "actual_end",
            "approved_on",
            "sop",
            "target_beneficiaries",
            "target_women",
            "beneficiaries_ex_combatants",
            "beneficiaries_community",
            "beneficiaries_women",
            "beneficiaries_youth",
            "counts_from_register",
            "mix_flags",
            "me_due_on",
            "me_flag",
            "me_visited_on",
            "me_mode",
            "political_economy_recorded",
            "risk_analysis_recorded",
            "consultations",
            "weapons_collected",
        ]

    def get_political_economy_recorded(self, project: Project) -> bool:
        return bool(project.political_economy)

    def get_risk_analysis_recorded(self, project: Project) -> bool:
        return bool(project.risk_analysis)

    def to_representation(self, project: Project) -> dict[str, Any]:
        data = super().to_representation(project)
        if for_analyst(self.context["request"].user):  # each project's count is a base cell
            shown = selectors.as_analyst_reads(project)
            data |= {m: getattr(shown, m) for m in selectors.MEASURES} | {"mix_flags": shown.mix_flags}
            # Weapons handed in count people (core.suppression): a small count is not shown.
            data["weapons_collected"] = visible(data["weapons_collected"])
        return data


class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    """Projects in the reader's scope, with their mix deviations (codes) and M&E alerts."""

    allowed_roles = ALL_ROLES
    serializer_class = ProjectSerializer
    filterset_fields = ["kind", "status", "region__code", "me_flag"]

    def get_queryset(self) -> Any:
        return (
            Project.objects.for_user(self.request.user)
            .select_related("region", "partner", "consortium", "sop")
            .annotate(
                consultation_count=Count("consultations", distinct=True),
                weapons_collected_count=Count("collected_weapons", distinct=True),
            )
            .order_by("id")
        )


class PartnerSerializer(serializers.ModelSerializer):
    regions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Partner
        fields = ["id", "name", "acronym", "kind", "registration_number", "regions", "capacity_notes"]


class PartnerViewSet(viewsets.ReadOnlyModelViewSet):
    allowed_roles = ALL_ROLES
    serializer_class = PartnerSerializer
    queryset = Partner.objects.prefetch_related("regions").order_by("name")


class CommitteeSerializer(serializers.ModelSerializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all())
    project = serializers.PrimaryKeyRelatedField(
        queryset=Project.objects.all(), required=False, allow_null=True
    )
    region = CodeField(queryset=Region.objects.all())

    class Meta:
        model = Committee
        fields = [
            "id",
            "partner",
            "project",
            "name",
            "kind",
            "region",
            "commune",
            "formed_on",
            "dissolved_on",
            "members",
            "women",
            "women_leaders",
            "note",
        ]
        # The service checks the figures (women among members) as the form does.
        validators: list[Any] = []

    def to_representation(self, committee: Committee) -> dict[str, Any]:
        data = super().to_representation(committee)
        request = self.context.get("request")
        if request is None or for_analyst(request.user):
            data.pop("note", None)  # free text: it may name people
        return data


class CommitteeViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Partners' committees (a regional officer reads their region's). POST records one with the
    form's checks (no more women than members, women leaders among the women, the project the
    partner's): 400 with the field otherwise."""

    allowed_roles = ALL_ROLES
    write_roles = MASTER_DATA_EDIT_ROLES
    serializer_class = CommitteeSerializer
    filterset_fields = ["partner", "project", "kind"]

    def get_queryset(self) -> Any:
        return Committee.objects.for_user(self.request.user).select_related("region").order_by("id")

    # Narrower than DRF's Request: RolePermission lets only a signed-in User reach this.
    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        data = CommitteeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        committee = services.committee_save(
            committee=None, partner=values.pop("partner"), by=request.user, **values
        )
        return Response(CommitteeSerializer(committee, context={"request": request}).data, status=201)


class ConsortiumSerializer(serializers.ModelSerializer):
    lead = serializers.PrimaryKeyRelatedField(read_only=True)
    members = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Consortium
        fields = ["id", "name", "lead", "members", "formed_on"]


class ConsortiumViewSet(viewsets.ReadOnlyModelViewSet):
    allowed_roles = ALL_ROLES
    serializer_class = ConsortiumSerializer
    queryset = Consortium.objects.prefetch_related("members").order_by("name")


class BeneficiarySerializer(serializers.ModelSerializer):
    person = PersonRef(source="combatant_id", purpose="cvr-beneficiaries")
    name = serializers.SerializerMethodField()

    class Meta:
        model = Beneficiary
        fields = ["id", "project", "kind", "person", "name", "sex", "age_band", "village", "youth_at_risk"]

    def get_name(self, beneficiary: Beneficiary) -> str:
        # Analysts never read names, of community members either.
        return "" if self.context["request"].user.is_analyst else beneficiary.name


class BeneficiaryCreateSerializer(serializers.Serializer):
    project = ScopedPrimaryKeyField(queryset=Project.objects.all())
    person = ScopedPrimaryKeyField(
        queryset=Combatant.objects.all(), required=False, allow_null=True, default=None
    )
    name = serializers.CharField(max_length=200, required=False, default="")
    sex = serializers.ChoiceField(choices=Sex.choices, required=False, default=Sex.MALE)
    age_band = serializers.ChoiceField(choices=AgeBand.choices)
    village = serializers.CharField(max_length=100, required=False, default="")
    youth_at_risk = serializers.BooleanField(required=False, default=False)


class BeneficiaryViewSet(IdentifyingListMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Beneficiaries. POST registers one: `person` for an ex-combatant (refused for a child, an
    excluded person, or a pathway that does not lead to CVR), else a community member by name.
    A row per person: not for analysts (they read the mix, `cvr-mix/`). For staff the list names
    community members: logged, throttled, bulk reads need a purpose."""

    export_name = "api:cvr-beneficiaries"

    allowed_roles = CASE_ROLES
    write_roles = REGISTER_ROLES
    serializer_class = BeneficiarySerializer
    filterset_fields = ["project", "kind", "sex", "age_band"]

    def get_queryset(self) -> Any:
        return Beneficiary.objects.for_user(self.request.user).order_by("id")

    @extend_schema(request=BeneficiaryCreateSerializer, responses={201: BeneficiarySerializer})
    # Narrower than DRF's Request: RolePermission lets only a signed-in User reach this.
    def create(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        data = BeneficiaryCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        project, person = values.pop("project"), values.pop("person")
        beneficiary = services.beneficiary_add(project=project, person=person, by=request.user, **values)
        return Response(BeneficiarySerializer(beneficiary, context={"request": request}).data, status=201)


class MixSerializer(serializers.Serializer):
    ex_combatants = serializers.IntegerField(allow_null=True, help_text=HIDDEN_GROUPS)
    community = serializers.IntegerField(allow_null=True)
    women = serializers.IntegerField(allow_null=True)
    youth = serializers.IntegerField(allow_null=True)
    ex_share = serializers.FloatField(allow_null=True)
    women_share = serializers.FloatField(allow_null=True)


class PortfolioSerializer(serializers.Serializer):
    overall = MixSerializer()
    projects = serializers.IntegerField()
    projects_benefiting_women = serializers.IntegerField(
        allow_null=True, help_text="null: the SOP in force sets no share of women that makes a project count"
    )
    projects_flagged = serializers.IntegerField()
    deviations = serializers.ListField(child=serializers.CharField())


class MixView(APIView):
    """The beneficiary mix over every project in scope, and what deviates from the SOP in force.
    For analysts, every count is a sum of the projects' counts of 5 or more (`core.suppression`)."""

    allowed_roles = ALL_ROLES

    @extend_schema(responses=PortfolioSerializer)
    def get(self, request: AuthenticatedRequest) -> Response:
        analyst = for_analyst(request.user)
        portfolio = selectors.portfolio_mix(Project.objects.for_user(request.user), suppressed=analyst)
        mix = portfolio.mix
        overall = {
            "ex_combatants": mix.ex_combatants,
            "community": mix.community,
            "women": mix.women,
            "youth": mix.youth,
            "ex_share": float(mix.ex_share) if mix.total else None,
            "women_share": float(mix.women_share) if mix.total else None,
        }
        return Response(
            PortfolioSerializer(
                {
                    "overall": overall,
                    "projects": portfolio.projects,
                    "projects_benefiting_women": portfolio.projects_benefiting_women,
                    "projects_flagged": portfolio.flagged,
                    "deviations": [d.message for d in portfolio.deviations],
                }
            ).data
        )
