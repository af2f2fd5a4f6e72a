from django.urls import path

from cantonment.sites import api, views
from core.urls import routes

urlpatterns = [
    path("sites/", views.site_list, name="site-list"),
    path("sites/carte/", views.site_map, name="site-map"),
    path("sites/proposer/", views.site_propose, name="site-propose"),
    path("sites/carte.geojson", views.site_map_data, name="site-map-data"),
    path("sites/<int:pk>/", views.site_detail, name="site-detail"),
    path("sites/<int:pk>/entree/", views.site_check_in, name="site-check-in"),
    path("sites/<int:pk>/capacite/", views.site_capacity, name="site-capacity"),
    path("sites/<int:pk>/etape/", views.site_advance, name="site-advance"),
    path("sejours/", views.stay_list, name="stay-list"),
    path("sejours/<int:pk>/sortie/", views.stay_check_out, name="stay-check-out"),
]

api_urlpatterns = routes(("sites", api.SiteViewSet, "api-site"), ("stays", api.StayViewSet, "api-stay"))
