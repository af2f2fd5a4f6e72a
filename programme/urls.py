from django.urls import path

from programme import api, views

app_name = "programme"

urlpatterns = [
    path("", views.home, name="home"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
]

api_urlpatterns = [
    path("dashboard/", api.DashboardView.as_view(), name="api-dashboard"),
    path("dashboard/<str:figure>/", api.DashboardFigureView.as_view(), name="api-dashboard-figure"),
]
