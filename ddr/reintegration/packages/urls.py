from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from core.urls import routes
from ddr.reintegration.packages import api, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("reinsertion/paquets/", views.package_list, name="package-list"),
    path("reinsertion/paquets/nouveau/", views.package_new, name="package-new"),
    path("reinsertion/paquets/<int:pk>/", views.package_detail, name="package-detail"),
    path("reinsertion/paquets/<int:pk>/modifier/", views.package_edit, name="package-edit"),
    path(
        "reinsertion/paquets/<int:pk>/nouvelle-version/",
        views.package_new_version,
        name="package-new-version",
    ),
    path("reinsertion/paquets/<int:pk>/composantes/nouvelle/", views.component_new, name="component-new"),
    path("reinsertion/composantes/<int:pk>/modifier/", views.component_edit, name="component-edit"),
    path("reinsertion/composantes/<int:pk>/retirer/", views.component_remove, name="component-remove"),
    path("reinsertion/inscription-groupee/", views.cohort_enrol, name="package-enrol-cohort"),
    path(
        "reinsertion/inscription-groupee/<int:pk>/", views.cohort_enrol_job, name="package-enrol-cohort-job"
    ),
    path("reinsertion/inscriptions/<int:pk>/abandon/", views.enrolment_drop, name="enrolment-drop"),
    path("reinsertion/budget/", views.budget, name="reintegration-budget"),
    path("reinsertion/financements/", views.funding_source_list, name="funding-source-list"),
    path("reinsertion/financements/nouveau/", views.funding_source_edit, name="funding-source-new"),
    path(
        "reinsertion/financements/<int:pk>/modifier/", views.funding_source_edit, name="funding-source-edit"
    ),
    path("personnes/<int:pk>/inscription/", views.person_enrol, name="person-enrol"),
]

api_urlpatterns: list[URLPattern | URLResolver] = routes(
    ("packages", api.PackageViewSet, "api-package"),
    ("enrolments", api.EnrolmentViewSet, "api-enrolment"),
)
