"""Cantonment's pages under the `cantonment` namespace, and its API endpoints."""

from cantonment.inventory import urls as inventory
from cantonment.sites import urls as sites
from cantonment.weapons import urls as weapons

app_name = "cantonment"

urlpatterns = [*sites.urlpatterns, *weapons.urlpatterns, *inventory.urlpatterns]

api_urlpatterns = [*sites.api_urlpatterns, *weapons.api_urlpatterns, *inventory.api_urlpatterns]
