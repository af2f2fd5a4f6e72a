from django.urls import path

from ddr.screening import views

urlpatterns = [
    path("personnes/<int:pk>/age/", views.person_age, name="person-age"),
    path("personnes/<int:pk>/medical/", views.person_medical, name="person-medical"),
    path("personnes/<int:pk>/statut/", views.person_transition, name="person-transition"),
    path("personnes/statut/", views.cohort_transition, name="cohort-transition"),
    path("verification/", views.vetting_queue, name="vetting-queue"),
    path("verification/lancer/", views.vetting_run, name="vetting-run"),
    path("verification/<int:pk>/", views.vetting_review, name="vetting-review"),
    path("verification/liste/importer/", views.watchlist_import, name="watchlist-import"),
    path("enfants/", views.referral_list, name="referral-list"),
    path("enfants/<int:pk>/remise/", views.referral_hand_over, name="referral-hand-over"),
    path("pieces-signalees/", views.flagged_documents, name="flagged-documents"),
]
