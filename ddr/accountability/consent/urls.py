"""Consent pages and API endpoints."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from core.urls import routes
from ddr.accountability.consent import api, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("personnes/<int:pk>/consentement/", views.consent_record_create, name="consent-record"),
    path("personnes/<int:pk>/consentement/retrait/", views.consent_withdraw, name="consent-withdraw"),
    path("personnes/<int:pk>/consentement/photo/", views.person_photo, name="consent-photo"),
    path(
        "personnes/<int:pk>/consentement/declaration/", views.consent_declaration, name="consent-declaration"
    ),
    path("personnes/<int:pk>/acces/", views.subject_access, name="consent-subject-access"),
    path("consentement/formulaires/<int:pk>/", views.consent_scan, name="consent-scan"),
    path("consentement/textes/", views.text_list, name="consent-text-list"),
    path("consentement/textes/<int:pk>/activer/", views.text_activate, name="consent-text-activate"),
]

api_urlpatterns: list[URLPattern | URLResolver] = [
    path("consent/figures/", api.ConsentFiguresView.as_view(), name="api-consent-figures"),
    *routes(
        ("consent/records", api.ConsentRecordViewSet, "api-consent-record"),
        ("consent/texts", api.ConsentTextViewSet, "api-consent-text"),
    ),
]
