from django.urls import path

from cantonment.weapons import api, views
from core.urls import routes

urlpatterns = [
    path("armes/", views.wam_list, name="wam-list"),
    path("armes/remise/", views.wam_hand_in, name="wam-hand-in"),
    path("armes/<int:pk>/", views.wam_detail, name="wam-detail"),
    path("armes/<int:pk>/recu/", views.wam_receipt, name="wam-receipt"),
    path("armes/<int:pk>/transfert/", views.wam_transfer, name="wam-transfer"),
    path("armes/<int:pk>/destination/", views.wam_dispose, name="wam-dispose"),
    path("armes/controles/", views.stock_check_list, name="stock-check-list"),
    path("armes/controles/<int:pk>/", views.stock_check_detail, name="stock-check-detail"),
    path("armes/rapprochement/", views.reconciliation, name="wam-reconciliation"),
]

api_urlpatterns = [
    # before weapons/<pk>/
    path("weapons/reconciliation/", api.ReconciliationView.as_view(), name="api-weapon-reconciliation"),
    *routes(
        ("weapons", api.WamItemViewSet, "api-weapon"),
        ("custody-events", api.CustodyEventViewSet, "api-custody"),
    ),
]
