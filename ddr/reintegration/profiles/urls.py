from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from core.urls import routes
from ddr.reintegration.profiles import api, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("personnes/<int:pk>/choix/", views.choice_new, name="choice-new"),
    path("personnes/<int:pk>/profil/", views.profile_edit, name="profile-edit"),
    path("opportunites/", views.opportunity_map, name="opportunity-map"),
    path("opportunites/nouvelle/", views.opportunity_new, name="opportunity-new"),
    path("opportunites/<int:pk>/modifier/", views.opportunity_edit, name="opportunity-edit"),
]

api_urlpatterns: list[URLPattern | URLResolver] = routes(
    ("opportunities", api.OpportunityViewSet, "api-opportunity")
)
