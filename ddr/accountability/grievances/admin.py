"""The deadlines of each category of grievance, kept by administrators in the admin. Grievances
themselves are not in the admin at all: who reads one is decided by `Grievance.objects.for_user`
(a sensitive one by the focal point only), which the admin's lists would bypass."""

from __future__ import annotations

from django.contrib import admin

from core.admin import ScopedAdmin
from ddr.accountability.grievances.models import GrievanceDeadline


@admin.register(GrievanceDeadline)
class GrievanceDeadlineAdmin(ScopedAdmin):
    list_display = ("category", "acknowledge_hours", "answer_days")
