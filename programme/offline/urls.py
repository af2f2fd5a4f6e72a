"""Offline work's pages (under `programme:`) and its API (under /api/sync/)."""

from __future__ import annotations

from django.urls import path

from programme.offline import api, views

urlpatterns = [
    path("hors-ligne/conflits/", views.conflict_list, name="offline-conflict-list"),
    path("hors-ligne/conflits/<int:pk>/", views.conflict_detail, name="offline-conflict-detail"),
    path("hors-ligne/appareils/", views.device_list, name="offline-device-list"),
    path("hors-ligne/appareils/<int:pk>/revoquer/", views.device_revoke, name="offline-device-revoke"),
]

api_urlpatterns = [
    path("sync/devices/", api.DeviceView.as_view(), name="api-sync-devices"),
    path("sync/snapshot/", api.SnapshotView.as_view(), name="api-sync-snapshot"),
    path("sync/operations/", api.OperationsView.as_view(), name="api-sync-operations"),
    path("sync/acknowledge/", api.AcknowledgeView.as_view(), name="api-sync-acknowledge"),
]
