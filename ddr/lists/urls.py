from django.urls import path

from core.urls import routes
from ddr.lists import api, views

urlpatterns = [
    path("listes/<int:pk>/statut/", views.list_status, name="list-status"),
    path("listes/", views.list_index, name="list-index"),
    path("listes/<int:pk>/", views.list_detail, name="list-detail"),
    path("listes/importer/", views.import_new, name="import-new"),
    path("listes/modele.csv", views.import_template, name="import-template"),
    path("listes/imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("listes/imports/<int:pk>/valider/", views.import_commit, name="import-commit"),
    path("listes/imports/<int:pk>/erreurs.csv", views.import_errors, name="import-errors"),
    path("listes/integrite/", views.list_integrity, name="list-integrity"),
    path("groupes/", views.armed_group_list, name="armed-group-list"),
    path("groupes/nouveau/", views.armed_group_edit, name="armed-group-new"),
    path("groupes/<int:pk>/", views.armed_group_detail, name="armed-group-detail"),
    path("groupes/<int:pk>/modifier/", views.armed_group_edit, name="armed-group-edit"),
    path("groupes/<int:pk>/adhesions/nouvelle/", views.membership_new, name="membership-new"),
    path("groupes/adhesions/<int:pk>/modifier/", views.membership_edit, name="membership-edit"),
    path("coalitions/nouvelle/", views.coalition_edit, name="coalition-new"),
    path("coalitions/<int:pk>/modifier/", views.coalition_edit, name="coalition-edit"),
]

api_urlpatterns = [
    path(
        "lists/integrity/", api.ListIntegrityView.as_view(), name="api-list-integrity"
    ),  # before lists/<pk>/
    *routes(
        ("lists", api.SubmittedListViewSet, "api-list"),
        ("armed-groups", api.ArmedGroupViewSet, "api-armedgroup"),
        ("coalitions", api.CoalitionViewSet, "api-coalition"),
        ("coalition-memberships", api.MembershipViewSet, "api-coalitionmembership"),
    ),
]
