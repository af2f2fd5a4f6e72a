"""Every app's pages under its own namespace (`ddr:person-list`, `cantonment:site-list`...), the API
under /api/ (names prefixed `api-`), and the admin. French paths: no bookmarked URL changes."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import urls as accounts
from cantonment import urls as cantonment
from core import urls as core
from cvr import urls as cvr
from ddr import urls as ddr
from integration import urls as integration
from programme import urls as programme

admin.site.site_header = _("DDR administration")
admin.site.site_title = _("DDR administration")

api_patterns = [
    *ddr.api_urlpatterns,
    *cantonment.api_urlpatterns,
    *integration.api_urlpatterns,
    *cvr.api_urlpatterns,
    *core.api_urlpatterns,
    *programme.api_urlpatterns,
    *accounts.api_urlpatterns,
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    # First: an API request is resolved without trying every page of the apps (about 200 patterns).
    path("api/", include(api_patterns)),
    path("", include(programme)),
    path("", include(core)),
    path("", include(accounts)),
    path("", include(ddr)),
    path("", include(cantonment)),
    path("", include(integration)),
    path("", include(cvr)),
    path("admin/", admin.site.urls),
]
