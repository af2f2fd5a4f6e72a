from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from core.urls import routes
from ddr.reintegration.followup import api, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("suivis/", views.follow_up_list, name="follow-up-list"),
    path("suivis/planifier/", views.follow_ups_plan, name="follow-up-plan"),
    path("suivis/<int:pk>/enregistrer/", views.follow_up_record, name="follow-up-record"),
    path("suivis/regles/", views.rules_list, name="reintegration-rules-list"),
    path("suivis/regles/nouveau/", views.rules_new, name="reintegration-rules-new"),
    path("suivis/regles/<int:pk>/", views.rules_detail, name="reintegration-rules-detail"),
    path("suivis/regles/<int:pk>/modifier/", views.rules_edit, name="reintegration-rules-edit"),
    path("suivis/regles/<int:pk>/activer/", views.rules_activate, name="reintegration-rules-activate"),
]

api_urlpatterns: list[URLPattern | URLResolver] = routes(("follow-ups", api.FollowUpViewSet, "api-follow-up"))
