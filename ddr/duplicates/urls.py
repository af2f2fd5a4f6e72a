from django.urls import path

from ddr.duplicates import views

urlpatterns = [
    path("doublons/", views.duplicate_queue, name="duplicate-queue"),
    path("doublons/<int:pk>/", views.duplicate_pair, name="duplicate-pair"),
    path("doublons/<int:pk>/decision/", views.duplicate_decide, name="duplicate-decide"),
    path("doublons/<int:pk>/rouvrir/", views.pair_reopen, name="duplicate-reopen"),
    path("doublons/fusions/<int:pk>/annuler/", views.merge_undo, name="merge-undo"),
    path("doublons/lancer/", views.duplicate_run, name="duplicate-run"),
    path("doublons/reglages/", views.matching_settings, name="matching-settings"),
]
