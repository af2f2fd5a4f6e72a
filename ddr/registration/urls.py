from django.urls import path

from core.urls import routes
from ddr.registration import api, views

urlpatterns = [
    path("personnes/", views.person_list, name="person-list"),
    path("personnes/<int:pk>/", views.person_detail, name="person-detail"),
    path("personnes/nouvelle/", views.person_new, name="person-new"),
    path("personnes/<int:pk>/carte/", views.person_card, name="person-card"),
    path("personnes/<int:pk>/photo/", views.person_photo, name="person-photo"),
    path("personnes/<int:pk>/armes/<int:weapon_pk>/recu/", views.weapon_receipt, name="weapon-receipt"),
]

api_urlpatterns = [
    *routes(("people", api.PersonViewSet, "api-person")),
]
