from django.urls import path

from core.urls import routes
from programme import api, views
from programme.fieldapp import views as fieldapp
from programme.governance import api as governance_api
from programme.governance import views as governance
from programme.offline import urls as offline

app_name = "programme"

urlpatterns = [
    path("", views.home, name="home"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("hors-ligne/", fieldapp.offline_app, name="offline-app"),
    path("sw.js", fieldapp.service_worker, name="service-worker"),
    path("decisions/", governance.decision_list, name="decision-list"),
    path("decisions/nouvelle/", governance.decision_new, name="decision-new"),
    path("decisions/<int:pk>/", governance.decision_detail, name="decision-detail"),
    path("decisions/<int:pk>/proces-verbal/", governance.decision_minutes, name="decision-minutes"),
    path("feuilles-de-route/", governance.roadmap_list, name="roadmap-list"),
    path("feuilles-de-route/<int:pk>/", governance.roadmap_detail, name="roadmap-detail"),
    path("feuilles-de-route/actions/<int:pk>/", governance.action_update, name="roadmap-action-update"),
    path("tableau-de-bord/carte/", views.dashboard_map, name="dashboard-map"),
    path("tableau-de-bord/pdf/", views.dashboard_pdf, name="dashboard-pdf"),
    path("tableau-de-bord/pdf/<int:pk>/", views.dashboard_pdf_job, name="dashboard-pdf-job"),
    path("tableau-de-bord/pdf/<int:pk>/fichier/", views.dashboard_pdf_file, name="dashboard-pdf-file"),
    *offline.urlpatterns,
]

api_urlpatterns = [
    *offline.api_urlpatterns,
    *routes(
        ("decisions", governance_api.DecisionViewSet, "api-decision"),
        ("roadmaps", governance_api.RoadmapViewSet, "api-roadmap"),
    ),
    path("dashboard/", api.DashboardView.as_view(), name="api-dashboard"),
    path("dashboard/<str:figure>/", api.DashboardFigureView.as_view(), name="api-dashboard-figure"),
    path("reintegration/summary/", api.ReintegrationSummaryView.as_view(), name="api-reintegration-summary"),
    path(
        "reintegration/enrolments/",
        api.ReintegrationEnrolmentsView.as_view(),
        name="api-reintegration-enrolments",
    ),
    path(
        "reintegration/entitlements/",
        api.ReintegrationEntitlementsView.as_view(),
        name="api-reintegration-entitlements",
    ),
    path(
        "reintegration/follow-ups/",
        api.ReintegrationFollowUpsView.as_view(),
        name="api-reintegration-follow-ups",
    ),
]
