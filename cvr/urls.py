from django.urls import path

from core.urls import routes
from cvr import api, views

app_name = "cvr"

urlpatterns = [
    path("rvc/", views.project_list, name="project-list"),
    path("rvc/nouveau/", views.project_new, name="project-new"),
    path("rvc/carte/", views.project_map, name="project-map"),
    path("rvc/carte.geojson", views.project_map_data, name="project-map-data"),
    path("rvc/bilan/", views.yearly_record, name="yearly-record"),
    path("rvc/partenaires/", views.partner_list, name="partner-list"),
    path("rvc/partenaires/nouveau/", views.partner_edit, name="partner-new"),
    path("rvc/partenaires/<int:pk>/", views.partner_detail, name="partner-detail"),
    path("rvc/partenaires/<int:pk>/modifier/", views.partner_edit, name="partner-edit"),
    path("rvc/partenaires/<int:pk>/comites/nouveau/", views.committee_new, name="committee-new"),
    path("rvc/comites/<int:pk>/modifier/", views.committee_edit, name="committee-edit"),
    path("rvc/consortiums/nouveau/", views.consortium_new, name="consortium-new"),
    path("rvc/<int:pk>/", views.project_detail, name="project-detail"),
    path("rvc/<int:pk>/etape/", views.project_advance, name="project-advance"),
    path("rvc/<int:pk>/analyse/", views.project_analysis, name="project-analysis"),
    path("rvc/<int:pk>/consultations/", views.consultation_add, name="consultation-add"),
    path("rvc/<int:pk>/beneficiaires/", views.beneficiary_add, name="beneficiary-add"),
    path("rvc/<int:pk>/beneficiaires/importer/", views.beneficiary_import, name="beneficiary-import"),
    path("rvc/<int:pk>/verification/", views.participants_screen, name="participants-screen"),
    path("rvc/verification/<int:pk>/", views.participant_match_review, name="participant-match-review"),
    path("rvc/imports/<int:pk>/", views.import_detail, name="import-detail"),
    path("rvc/imports/<int:pk>/erreurs.csv", views.import_errors, name="import-errors"),
]

api_urlpatterns = [
    *routes(
        ("cvr-projects", api.ProjectViewSet, "api-cvrproject"),
        ("cvr-partners", api.PartnerViewSet, "api-cvrpartner"),
        ("cvr-committees", api.CommitteeViewSet, "api-cvrcommittee"),
        ("cvr-consortia", api.ConsortiumViewSet, "api-cvrconsortium"),
        ("cvr-beneficiaries", api.BeneficiaryViewSet, "api-cvrbeneficiary"),
    ),
    path("cvr-mix/", api.MixView.as_view(), name="api-cvr-mix"),
]
