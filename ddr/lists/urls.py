from django.urls import path

from core.urls import routes
from ddr.lists import api, views

urlpatterns = [
    path("listes/<int:pk>/statut/", views.list_status, name="list-status"),
    path("listes/", views.list_index, name="list-index"),
    path("listes/<int:pk>/", views.list_detail, name="list-detail"),
    path("listes/importer/", views.import_new, name="import-new"),
    path("listes/imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("listes/imports/<int:pk>/valider/", views.import_commit, name="import-commit"),
    path("listes/imports/<int:pk>/erreurs.csv", views.import_errors, name="import-errors"),
    path("listes/integrite/", views.list_integrity, name="list-integrity"),
]

api_urlpatterns = [
    path(
        "lists/integrity/", api.ListIntegrityView.as_view(), name="api-list-integrity"
    ),  # before lists/<pk>/
    *routes(
        ("lists", api.SubmittedListViewSet, "api-list"),
        ("armed-groups", api.ArmedGroupViewSet, "api-armedgroup"),
        ("coalitions", api.CoalitionViewSet, "api-coalition"),
    ),
]
