"""Reinsertion and reintegration pages and endpoints; each part keeps its own."""

from ddr.reintegration.followup import urls as followup
from ddr.reintegration.packages import urls as packages
from ddr.reintegration.payments import urls as payments
from ddr.reintegration.profiles import urls as profiles

urlpatterns = [*profiles.urlpatterns, *packages.urlpatterns, *payments.urlpatterns, *followup.urlpatterns]

api_urlpatterns = [
    *profiles.api_urlpatterns,
    *packages.api_urlpatterns,
    *payments.api_urlpatterns,
    *followup.api_urlpatterns,
]
