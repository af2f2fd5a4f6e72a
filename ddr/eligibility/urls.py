from django.urls import path

from core.urls import routes
from ddr.eligibility import api, views

urlpatterns = [
    path("regles/", views.ruleset_list, name="ruleset-list"),
    path("regles/nouveau/", views.ruleset_new, name="ruleset-new"),
    path("regles/<int:pk>/", views.ruleset_detail, name="ruleset-detail"),
    path("regles/<int:pk>/modifier/", views.ruleset_edit, name="ruleset-edit"),
    path("regles/<int:pk>/simulation/", views.ruleset_what_if, name="ruleset-what-if"),
    path(
        "regles/<int:pk>/simulation/personnes/", views.ruleset_what_if_people, name="ruleset-what-if-people"
    ),
    path(
        "regles/<int:pk>/simulation/attente/", views.ruleset_what_if_waiting, name="ruleset-what-if-waiting"
    ),
    path("regles/<int:pk>/activer/", views.ruleset_activate, name="ruleset-activate"),
    path("regles/calculs/<int:pk>/", views.eligibility_run, name="eligibility-run"),
    path("quotas/", views.quota_use, name="quota-use"),
    path("quotas/attente/", views.waiting_list, name="waiting-list"),
]

api_urlpatterns = [
    *routes(("rulesets", api.RuleSetViewSet, "api-ruleset")),
    path("pathways/counts/", api.PathwayCountsView.as_view(), name="api-pathway-counts"),
]
