from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, QueryDict
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Role, User
from core.models import JOB_KINDS, Cercle, ExportLog, Job, Region
from core.querysets import PersonScopedQuerySet


def scoped(queryset: Any, request: HttpRequest) -> Any:
    """`queryset` as the signed-in user may read it: through `for_user` when its model has one."""
    return queryset.for_user(request.user) if hasattr(queryset, "for_user") else queryset


class ScopedFormMixin:
    """Choices that name a record (a select, an autocomplete, a raw id's label) offer only what
    the user may see: the person a record points at is read through `for_user` like any other.

    Django fills a foreign key's choices from the related model's default manager, bypassing the
    related admin's `get_queryset`: without this, the "merged into" select on a person's page
    listed every person, children included, by number and name.
    """

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if "queryset" not in kwargs:
            kwargs["queryset"] = self._choices(db_field, request, kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if "queryset" not in kwargs:
            kwargs["queryset"] = self._choices(db_field, request, kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]

    def _choices(self, db_field: Any, request: HttpRequest, using: str | None) -> Any:
        # The related admin's ordering when it has one (what Django itself would use), then scoped.
        ordered = self.get_field_queryset(using, db_field, request)  # type: ignore[attr-defined]
        if ordered is None:
            ordered = db_field.remote_field.model._default_manager.using(using).all()
        return scoped(ordered, request)


class KeptMixin:
    """Nothing with history is deleted, whoever asks: no delete button, no "delete selected"
    action, no delete checkbox in an inline. A record ends by its own status (a site closed, a
    project cancelled, a person withdrawn, a user deactivated), which its history keeps."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(KeptMixin, ScopedFormMixin, SimpleHistoryAdmin):
    """History is shown, never rewritten, and only for records the user may open.

    simple-history's REVERT_DISABLED only hides the button: a POST to the historical
    form would still overwrite the record with an old version. Refused here. Its history
    views read the record outside `get_queryset` (by id, or from the history table when the
    record is gone), so a child's history was readable by id: they ask `get_queryset` first.
    """

    def get_queryset(self, request: HttpRequest) -> Any:
        return scoped(super().get_queryset(request), request)

    # The admin's "Recent actions" shows each entry's label for ever; a person's (their number and
    # name) would outlive the person becoming a child or leaving one's scope: their id only.
    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return _unnamed(super().log_addition(request, obj, message), obj)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return _unnamed(super().log_change(request, obj, message), obj)

    def _readable(self, request: HttpRequest, object_id: str) -> None:
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        self._readable(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> Any:
        if request.method != "GET":
            raise PermissionDenied
        self._readable(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def set_history_delta_changes(
        self, request: HttpRequest, historical_records: Any, foreign_keys_are_objs: bool = True
    ) -> None:
        # A change of a pointer is shown by id: the record pointed at (a person) may be one the
        # user may not see, and its name must not appear here either.
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs=False)


def _unnamed(entry: Any, obj: Any) -> Any:
    """An admin log entry of a person's record labelled by the record's id, never its person."""
    by_person = obj._meta.label == settings.PERSON_MODEL or isinstance(
        type(obj)._default_manager.all(), PersonScopedQuerySet
    )
    if by_person and entry is not None:
        entry.object_repr = f"{obj._meta.verbose_name} {obj.pk}"
        entry.save(update_fields=["object_repr"])
    return entry


class ReadOnlyMixin:
    """Shown for reference only: written by the application, never through the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:  # obj: inlines
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Every admin reads through `for_user`: kept as the name the domain apps' admins use.
ScopedAdmin = AuditedAdmin


class ScopedInline(KeptMixin, ScopedFormMixin, admin.TabularInline[Any, Any]):
    """An inline of a record's parts: scoped like its page, and never deleted from it."""

    def get_queryset(self, request: HttpRequest) -> Any:
        return scoped(super().get_queryset(request), request)


class CercleInline(ScopedInline):
    model = Cercle
    extra = 0


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")
    inlines = [CercleInline]


@admin.register(Cercle)
class CercleAdmin(AuditedAdmin):
    list_display = ("name", "region")
    list_filter = ("region",)
    list_select_related = ("region",)
    search_fields = ("name",)


class JobKindFilter(admin.SimpleListFilter):
    """The kinds of work by their names, not their codes."""

    title = _("Work")
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        kinds = Job.objects.order_by("kind").values_list("kind", flat=True).distinct()
        return [(kind, str(JOB_KINDS.get(kind, kind))) for kind in kinds]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Job)
# No history: a job row is progress (see tests/test_audit.py).
class JobAdmin(KeptMixin, admin.ModelAdmin[Job]):
    list_display = ("kind_label", "status", "done", "total", "created_by", "created_at", "finished_at")
    list_filter = (JobKindFilter, "status")
    list_select_related = ("created_by",)

    @admin.display(description=_("Work"), ordering="kind")
    def kind_label(self, job: Job) -> str:
        return str(JOB_KINDS.get(job.kind, job.kind))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Free text a reader typed to find someone (a name): kept in the log, never shown back.
FREE_TEXT_FILTERS = ("q", "search")
MASK = "***"


def _masked_filters(filters: str) -> str:
    query = QueryDict(filters, mutable=True)
    for name in FREE_TEXT_FILTERS:
        if name in query:
            query.setlist(name, [MASK] * len(query.getlist(name)))
    return query.urlencode(safe="*")


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnlyMixin, admin.ModelAdmin[ExportLog]):  # itself the log of reads: append-only
    """The log shows who read what, when and why, but not the words of a search (a name), nor
    anything of what a child-protection officer read: their filters and purpose can name a child,
    whom only their role may see (the administrator included). Someone who ever held that role
    counts, so a later change of role does not open their past exports."""

    list_display = (
        "created_at",
        "user",
        "what",
        "identity",
        "shown_purpose",
        "file_format",
        "row_count",
        "shown_filters",
        "sha256",
    )
    fields = list_display
    readonly_fields = list_display
    list_filter = ("what", "identity", "file_format")
    list_select_related = ("user",)

    def get_queryset(self, request: HttpRequest) -> Any:
        ever_child_protection = User.history.filter(id=OuterRef("user_id"), role=Role.CHILD_PROTECTION)
        return super().get_queryset(request).annotate(by_child_protection=Exists(ever_child_protection))

    def _hidden(self, log: ExportLog) -> bool:
        return bool(getattr(log, "by_child_protection", True)) or log.user.is_child_protection

    @admin.display(description=_("purpose"))
    def shown_purpose(self, log: ExportLog) -> str:
        return MASK if self._hidden(log) and log.purpose else log.purpose

    @admin.display(description=_("filters"))
    def shown_filters(self, log: ExportLog) -> str:
        if self._hidden(log) and log.filters:
            return MASK
        return _masked_filters(log.filters)
