from django.urls import path

from core.urls import routes
from integration import api, views

app_name = "integration"

urlpatterns = [
    path("unites/", views.unit_list, name="unit-list"),
    path("unites/nouvelle/", views.unit_edit, name="unit-new"),
    path("unites/<int:pk>/", views.unit_detail, name="unit-detail"),
    path("unites/<int:pk>/modifier/", views.unit_edit, name="unit-edit"),
    path("unites/<int:pk>/membres/", views.unit_member_add, name="unit-member-add"),
    path("unites/<int:pk>/commandement/", views.membership_command, name="unit-command"),
    path("unites/<int:pk>/patrouilles/", views.unit_patrol, name="unit-patrol"),
    path("unites/membres/<int:pk>/depart/", views.membership_leave, name="membership-leave"),
    path("unites/tiers/", views.compliance_now, name="compliance-now"),
    path("unites/desertions/", views.desertions, name="desertions"),
    path("integration/", views.cohort_list, name="cohort-list"),
    path("integration/nouvelle/", views.cohort_new, name="cohort-new"),
    path("integration/<int:pk>/", views.cohort_detail, name="cohort-detail"),
    path("integration/<int:pk>/candidats/", views.cohort_candidate_add, name="cohort-candidate-add"),
    path("integration/<int:pk>/etape/", views.cohort_step, name="cohort-step"),
    path("etat/", views.state_list, name="state-list"),
    path("etat/nouvelle/", views.state_intake_new, name="state-intake-new"),
    path("etat/<int:pk>/", views.state_intake_detail, name="state-intake-detail"),
    path("etat/<int:pk>/personnes/", views.state_placement_add, name="state-placement-add"),
    path("etat/placements/<int:pk>/etape/", views.state_placement_step, name="state-placement-step"),
    path("etat/placements/<int:pk>/reclassement/", views.state_reclassify, name="state-reclassify"),
]

api_urlpatterns = [
    *routes(
        ("units", api.UnitViewSet, "api-unit"),
        ("unit-memberships", api.MembershipViewSet, "api-membership"),
        ("one-third-checks", api.ComplianceViewSet, "api-compliance"),
    ),
    path("integration/progress/", api.IntegrationProgressView.as_view(), name="api-integration-progress"),
    path("integration/desertions/", api.DesertionCountsView.as_view(), name="api-desertions"),
    path("integration/state-pathways/", api.StatePathwayCountsView.as_view(), name="api-state-pathways"),
]
