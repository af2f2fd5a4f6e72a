"""Appeals pages and API endpoints."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from core.urls import routes
from ddr.accountability.appeals import api, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("recours/", views.appeal_list, name="appeal-list"),
    path("recours/<int:pk>/", views.appeal_detail, name="appeal-detail"),
    path("recours/<int:pk>/audience/", views.appeal_schedule, name="appeal-schedule"),
    path("recours/<int:pk>/entendu/", views.appeal_hear, name="appeal-hear"),
    path("recours/<int:pk>/decision/", views.appeal_decide, name="appeal-decide"),
    path("recours/<int:pk>/retrait/", views.appeal_withdraw, name="appeal-withdraw"),
    path("personnes/<int:pk>/recours/", views.person_appeal_new, name="appeal-person-new"),
    path("listes/<int:pk>/recours/", views.list_appeal_new, name="appeal-list-new"),
]

# The figures before the router: its detail route would take "figures" for an id.
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("appeals/figures/", api.AppealFiguresView.as_view(), name="api-appeal-figures"),
    *routes(("appeals", api.AppealViewSet, "api-appeal")),
]
