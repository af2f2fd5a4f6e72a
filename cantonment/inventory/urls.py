from django.urls import path

from cantonment.inventory import api, views
from core.urls import routes

urlpatterns = [
    path("materiel/", views.inventory_list, name="inventory-list"),
    path("materiel/nouveau/", views.inventory_new, name="inventory-new"),
    path("materiel/<int:pk>/", views.inventory_detail, name="inventory-detail"),
    path("materiel/<int:pk>/mouvement/", views.inventory_move, name="inventory-move"),
    path("materiel/remises/nouvelle/", views.handover_new, name="handover-new"),
    path("materiel/remises/<int:pk>/", views.handover_detail, name="handover-detail"),
    path("materiel/remises/<int:pk>/recu.pdf", views.handover_receipt, name="handover-receipt"),
]

api_urlpatterns = routes(("inventory", api.InventoryItemViewSet, "api-inventory"))
