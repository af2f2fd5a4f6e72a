"""The register's pages under the `ddr` namespace, and its API endpoints; each concept keeps its own."""

from ddr.accountability import urls as accountability
from ddr.duplicates import urls as duplicates
from ddr.eligibility import urls as eligibility
from ddr.lists import urls as lists
from ddr.registration import urls as registration
from ddr.reintegration import urls as reintegration
from ddr.screening import urls as screening

app_name = "ddr"

urlpatterns = [
    *registration.urlpatterns,
    *lists.urlpatterns,
    *screening.urlpatterns,
    *duplicates.urlpatterns,
    *eligibility.urlpatterns,
    *reintegration.urlpatterns,
    *accountability.urlpatterns,
]

api_urlpatterns = [
    *registration.api_urlpatterns,
    *lists.api_urlpatterns,
    *eligibility.api_urlpatterns,
    *reintegration.api_urlpatterns,
    *accountability.api_urlpatterns,
]
