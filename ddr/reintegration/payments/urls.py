from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from core.urls import routes
from ddr.reintegration.payments import api, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("paiements/", views.batch_list, name="payment-batch-list"),
    path("paiements/preparer/", views.batch_new, name="payment-batch-new"),
    path("paiements/payes-deux-fois/", views.paid_twice, name="paid-twice"),
    path("paiements/<int:pk>/", views.batch_detail, name="payment-batch-detail"),
    path("paiements/<int:pk>/approuver/", views.batch_approve, name="payment-batch-approve"),
    path("paiements/<int:pk>/annuler/", views.batch_cancel, name="payment-batch-cancel"),
    path("paiements/<int:pk>/fichier/", views.batch_export, name="payment-batch-export"),
    path("paiements/<int:pk>/releve/", views.statement_new, name="payment-statement-new"),
    path("paiements/releves/<int:pk>/", views.statement_detail, name="payment-statement-detail"),
    path("paiements/releves/<int:pk>/erreurs.csv", views.statement_errors, name="payment-statement-errors"),
    path("distributions/", views.distribution, name="distribution"),
]

api_urlpatterns: list[URLPattern | URLResolver] = routes(
    ("payment-batches", api.PaymentBatchViewSet, "api-payment-batch"),
    ("payment-statements", api.StatementImportViewSet, "api-payment-statement"),
    ("distributions", api.DistributionViewSet, "api-distribution"),
)
