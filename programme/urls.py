from django.urls import path

from programme import api, views

app_name = "programme"

urlpatterns = [
    path("", views.home, name="home"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
]

api_urlpatterns = [
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
