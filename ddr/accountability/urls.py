"""Grievances, appeals and consent pages and endpoints; each part keeps its own."""

from ddr.accountability.appeals import urls as appeals
from ddr.accountability.consent import urls as consent
from ddr.accountability.grievances import urls as grievances

urlpatterns = [*grievances.urlpatterns, *appeals.urlpatterns, *consent.urlpatterns]

api_urlpatterns = [*grievances.api_urlpatterns, *appeals.api_urlpatterns, *consent.api_urlpatterns]
