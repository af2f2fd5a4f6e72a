from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog, set_language
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from knox import views as knox_views
from rest_framework import serializers
from rest_framework.authentication import BasicAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from cantonment import inventory_views, wam_views
from cantonment import views as cantonment_views
from cantonment.api import (
    CustodyEventViewSet,
    InventoryItemViewSet,
    ReconciliationView,
    SiteViewSet,
    StayViewSet,
    WamItemViewSet,
)
from core import views as core_views
from core.api import DashboardFigureView, DashboardView, RegionViewSet
from cvr import views as cvr_views
from cvr.api import BeneficiaryViewSet, ConsortiumViewSet, MixView, PartnerViewSet, ProjectViewSet
from ddr import duplicate_views, eligibility_views, screening_views
from ddr import views as ddr_views
from ddr.api import (
    ArmedGroupViewSet,
    CoalitionViewSet,
    ListIntegrityView,
    PathwayCountsView,
    PersonViewSet,
    SubmittedListViewSet,
)
from integration import views as integration_views
from integration.api import (
    ComplianceViewSet,
    DesertionCountsView,
    IntegrationProgressView,
    MembershipViewSet,
    UnitViewSet,
)


class TokenSerializer(serializers.Serializer):
    expiry = serializers.DateTimeField()
    token = serializers.CharField()


@extend_schema(request=None, responses=TokenSerializer)
class TokenLoginView(knox_views.LoginView):
    """POST with HTTP Basic credentials: returns an expiring token (knox, stored hashed)."""

    authentication_classes = [BasicAuthentication]
    permission_classes = [IsAuthenticated]

    def post(self, request: Any, format: Any = None) -> Any:
        # django-axes logs the sign-in with a hash of the session, creating one when there is none:
        # a token client got a session cookie and a session row for nothing. One made here is dropped.
        had_session = request.session.session_key is not None
        response = super().post(request, format)
        if not had_session and request.session.session_key is not None:
            request.session.flush()
        return response


@extend_schema(request=None, responses={204: None})
class TokenLogoutView(knox_views.LogoutView):
    """POST with the token: revokes it."""


admin.site.site_header = _("DDR administration")
admin.site.site_title = _("DDR administration")

router = DefaultRouter()
router.register("people", PersonViewSet, basename="api-person")
router.register("lists", SubmittedListViewSet, basename="api-list")
router.register("armed-groups", ArmedGroupViewSet, basename="api-armedgroup")
router.register("coalitions", CoalitionViewSet, basename="api-coalition")
router.register("regions", RegionViewSet, basename="api-region")
router.register("sites", SiteViewSet, basename="api-site")
router.register("stays", StayViewSet, basename="api-stay")
router.register("weapons", WamItemViewSet, basename="api-weapon")
router.register("custody-events", CustodyEventViewSet, basename="api-custody")
router.register("inventory", InventoryItemViewSet, basename="api-inventory")
router.register("units", UnitViewSet, basename="api-unit")
router.register("unit-memberships", MembershipViewSet, basename="api-membership")
router.register("one-third-checks", ComplianceViewSet, basename="api-compliance")
router.register("cvr-projects", ProjectViewSet, basename="api-cvrproject")
router.register("cvr-partners", PartnerViewSet, basename="api-cvrpartner")
router.register("cvr-consortia", ConsortiumViewSet, basename="api-cvrconsortium")
router.register("cvr-beneficiaries", BeneficiaryViewSet, basename="api-cvrbeneficiary")

api_patterns = [
    path("lists/integrity/", ListIntegrityView.as_view(), name="api-list-integrity"),  # before lists/<pk>/
    path("weapons/reconciliation/", ReconciliationView.as_view(), name="api-weapon-reconciliation"),  # idem
    path("", include(router.urls)),
    path("pathways/counts/", PathwayCountsView.as_view(), name="api-pathway-counts"),
    path("cvr-mix/", MixView.as_view(), name="api-cvr-mix"),
    path("dashboard/", DashboardView.as_view(), name="api-dashboard"),
    path("dashboard/<str:figure>/", DashboardFigureView.as_view(), name="api-dashboard-figure"),
    path("integration/progress/", IntegrationProgressView.as_view(), name="api-integration-progress"),
    path("integration/desertions/", DesertionCountsView.as_view(), name="api-desertions"),
    path("auth/token/", TokenLoginView.as_view(), name="api-token-login"),
    path("auth/token/logout/", TokenLogoutView.as_view(), name="api-token-logout"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("tableau-de-bord/", core_views.dashboard, name="dashboard"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path(
        "connexion/",
        login_not_required(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("langue/", login_not_required(set_language), name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("taches/<int:pk>/", core_views.job_progress, name="job-progress"),
    path("personnes/", ddr_views.person_list, name="person-list"),
    path("personnes/<int:pk>/", ddr_views.person_detail, name="person-detail"),
    path("personnes/nouvelle/", ddr_views.person_new, name="person-new"),
    path("personnes/<int:pk>/carte/", ddr_views.person_card, name="person-card"),
    path("personnes/<int:pk>/armes/<int:weapon_pk>/recu/", ddr_views.weapon_receipt, name="weapon-receipt"),
    path("listes/<int:pk>/statut/", ddr_views.list_status, name="list-status"),
    path("listes/", ddr_views.list_index, name="list-index"),
    path("listes/<int:pk>/", ddr_views.list_detail, name="list-detail"),
    path("listes/importer/", ddr_views.import_new, name="import-new"),
    path("listes/imports/<int:pk>/", ddr_views.import_detail, name="import-detail"),
    path("listes/imports/<int:pk>/valider/", ddr_views.import_commit, name="import-commit"),
    path("listes/imports/<int:pk>/erreurs.csv", ddr_views.import_errors, name="import-errors"),
    path("personnes/<int:pk>/age/", screening_views.person_age, name="person-age"),
    path("personnes/<int:pk>/medical/", screening_views.person_medical, name="person-medical"),
    path("personnes/<int:pk>/statut/", screening_views.person_transition, name="person-transition"),
    path("personnes/statut/", screening_views.cohort_transition, name="cohort-transition"),
    path("verification/", screening_views.vetting_queue, name="vetting-queue"),
    path("verification/lancer/", screening_views.vetting_run, name="vetting-run"),
    path("verification/<int:pk>/", screening_views.vetting_review, name="vetting-review"),
    path("verification/liste/importer/", screening_views.watchlist_import, name="watchlist-import"),
    path("enfants/", screening_views.referral_list, name="referral-list"),
    path("enfants/<int:pk>/remise/", screening_views.referral_hand_over, name="referral-hand-over"),
    path("pieces-signalees/", screening_views.flagged_documents, name="flagged-documents"),
    path("doublons/", duplicate_views.duplicate_queue, name="duplicate-queue"),
    path("doublons/<int:pk>/", duplicate_views.duplicate_pair, name="duplicate-pair"),
    path("doublons/<int:pk>/decision/", duplicate_views.duplicate_decide, name="duplicate-decide"),
    path("doublons/fusions/<int:pk>/annuler/", duplicate_views.merge_undo, name="merge-undo"),
    path("doublons/lancer/", duplicate_views.duplicate_run, name="duplicate-run"),
    path("doublons/reglages/", duplicate_views.matching_settings, name="matching-settings"),
    path("listes/integrite/", duplicate_views.list_integrity, name="list-integrity"),
    path("regles/", eligibility_views.ruleset_list, name="ruleset-list"),
    path("regles/nouveau/", eligibility_views.ruleset_new, name="ruleset-new"),
    path("regles/<int:pk>/", eligibility_views.ruleset_detail, name="ruleset-detail"),
    path("regles/<int:pk>/modifier/", eligibility_views.ruleset_edit, name="ruleset-edit"),
    path("regles/<int:pk>/simulation/", eligibility_views.ruleset_what_if, name="ruleset-what-if"),
    path(
        "regles/<int:pk>/simulation/personnes/",
        eligibility_views.ruleset_what_if_people,
        name="ruleset-what-if-people",
    ),
    path("regles/<int:pk>/activer/", eligibility_views.ruleset_activate, name="ruleset-activate"),
    path("regles/calculs/<int:pk>/", eligibility_views.eligibility_run, name="eligibility-run"),
    path("quotas/", eligibility_views.quota_use, name="quota-use"),
    path("sites/", cantonment_views.site_list, name="site-list"),
    path("sites/carte/", cantonment_views.site_map, name="site-map"),
    path("sites/carte.geojson", cantonment_views.site_map_data, name="site-map-data"),
    path("sites/<int:pk>/", cantonment_views.site_detail, name="site-detail"),
    path("sites/<int:pk>/entree/", cantonment_views.site_check_in, name="site-check-in"),
    path("sites/<int:pk>/capacite/", cantonment_views.site_capacity, name="site-capacity"),
    path("sites/<int:pk>/etape/", cantonment_views.site_advance, name="site-advance"),
    path("sejours/<int:pk>/sortie/", cantonment_views.stay_check_out, name="stay-check-out"),
    path("armes/", wam_views.wam_list, name="wam-list"),
    path("armes/remise/", wam_views.wam_hand_in, name="wam-hand-in"),
    path("armes/<int:pk>/", wam_views.wam_detail, name="wam-detail"),
    path("armes/<int:pk>/recu/", wam_views.wam_receipt, name="wam-receipt"),
    path("armes/<int:pk>/transfert/", wam_views.wam_transfer, name="wam-transfer"),
    path("armes/<int:pk>/destination/", wam_views.wam_dispose, name="wam-dispose"),
    path("armes/controles/", wam_views.stock_check_list, name="stock-check-list"),
    path("armes/controles/<int:pk>/", wam_views.stock_check_detail, name="stock-check-detail"),
    path("armes/rapprochement/", wam_views.reconciliation, name="wam-reconciliation"),
    path("materiel/", inventory_views.inventory_list, name="inventory-list"),
    path("materiel/nouveau/", inventory_views.inventory_new, name="inventory-new"),
    path("materiel/<int:pk>/", inventory_views.inventory_detail, name="inventory-detail"),
    path("materiel/<int:pk>/mouvement/", inventory_views.inventory_move, name="inventory-move"),
    path("materiel/remises/nouvelle/", inventory_views.handover_new, name="handover-new"),
    path("materiel/remises/<int:pk>/", inventory_views.handover_detail, name="handover-detail"),
    path("materiel/remises/<int:pk>/recu.pdf", inventory_views.handover_receipt, name="handover-receipt"),
    path("unites/", integration_views.unit_list, name="unit-list"),
    path("unites/<int:pk>/", integration_views.unit_detail, name="unit-detail"),
    path("unites/<int:pk>/membres/", integration_views.unit_member_add, name="unit-member-add"),
    path("unites/<int:pk>/commandement/", integration_views.membership_command, name="unit-command"),
    path("unites/<int:pk>/patrouilles/", integration_views.unit_patrol, name="unit-patrol"),
    path("unites/membres/<int:pk>/depart/", integration_views.membership_leave, name="membership-leave"),
    path("unites/tiers/", integration_views.compliance_now, name="compliance-now"),
    path("unites/desertions/", integration_views.desertions, name="desertions"),
    path("integration/", integration_views.cohort_list, name="cohort-list"),
    path("integration/nouvelle/", integration_views.cohort_new, name="cohort-new"),
    path("integration/<int:pk>/", integration_views.cohort_detail, name="cohort-detail"),
    path(
        "integration/<int:pk>/candidats/", integration_views.cohort_candidate_add, name="cohort-candidate-add"
    ),
    path("integration/<int:pk>/etape/", integration_views.cohort_step, name="cohort-step"),
    path("rvc/", cvr_views.project_list, name="cvr-project-list"),
    path("rvc/nouveau/", cvr_views.project_new, name="cvr-project-new"),
    path("rvc/carte/", cvr_views.project_map, name="cvr-project-map"),
    path("rvc/carte.geojson", cvr_views.project_map_data, name="cvr-project-map-data"),
    path("rvc/bilan/", cvr_views.yearly_record, name="cvr-yearly-record"),
    path("rvc/partenaires/", cvr_views.partner_list, name="cvr-partner-list"),
    path("rvc/consortiums/nouveau/", cvr_views.consortium_new, name="cvr-consortium-new"),
    path("rvc/<int:pk>/", cvr_views.project_detail, name="cvr-project-detail"),
    path("rvc/<int:pk>/etape/", cvr_views.project_advance, name="cvr-project-advance"),
    path("rvc/<int:pk>/beneficiaires/", cvr_views.beneficiary_add, name="cvr-beneficiary-add"),
    path("rvc/<int:pk>/beneficiaires/importer/", cvr_views.beneficiary_import, name="cvr-beneficiary-import"),
    path("rvc/imports/<int:pk>/", cvr_views.import_detail, name="cvr-import-detail"),
    path("rvc/imports/<int:pk>/erreurs.csv", cvr_views.import_errors, name="cvr-import-errors"),
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
]
