"""Grievances pages and API endpoints."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from core.urls import routes
from ddr.accountability.grievances import api, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("plaintes/", views.grievance_list, name="grievance-list"),
    path("plaintes/nouvelle/", views.grievance_new, name="grievance-new"),
    path("plaintes/<int:pk>/", views.grievance_detail, name="grievance-detail"),
    path("plaintes/<int:pk>/<slug:action>/", views.grievance_action, name="grievance-action"),
]

api_urlpatterns: list[URLPattern | URLResolver] = [
    # Before the router's `grievances/<pk>/`: "figures" is not a grievance.
    path("grievances/figures/", api.GrievanceFiguresView.as_view(), name="api-grievance-figures"),
    *routes(("grievances", api.GrievanceViewSet, "api-grievance")),
]
