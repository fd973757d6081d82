from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from candidates.models import (
    Application,
    ApplicationDocument,
    ApplicationLog,
    ApplicationMessage,
    CentralService,
    ChecklistEntry,
    EligibilityRequest,
    EligibilityRequestLog,
    EligibleCategory,
    LocalService,
    ServiceContract,
    ServiceDomain,
    Site,
)


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    can_delete = False
    fields = (
        "name",
        "kind",
        "street",
        "postal_code",
        "city",
        "departement",
        "agents_in_contact",
        "is_active",
    )


@admin.register(CentralService)
class CentralServiceAdmin(SimpleHistoryAdmin):
    list_display = ("name", "network_name", "ministry", "siret")
    search_fields = ("name", "network_name", "siret")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LocalService)
class LocalServiceAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "parent", "city", "departement", "siret")
    list_filter = ("kind", "region")
    list_select_related = ("parent",)
    search_fields = ("name", "city", "siret")
    autocomplete_fields = ("parent",)
    inlines = [SiteInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Site)
class SiteAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "local_service", "city", "agents_in_contact", "is_active")
    list_filter = ("kind", "is_active")
    list_select_related = ("local_service",)
    search_fields = ("name", "city", "local_service__name")
    autocomplete_fields = ("local_service",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceDomain)
class ServiceDomainAdmin(SimpleHistoryAdmin):
    list_display = ("local_service", "domain", "detail", "is_active", "added_at")
    list_filter = ("domain", "is_active")
    list_select_related = ("local_service",)
    search_fields = ("local_service__name", "detail")
    autocomplete_fields = ("local_service",)

    def has_delete_permission(self, request, obj=None):
        return False


# --- Eligibility (§1.4) ---------------------------------------------------------------------------------------------


@admin.register(EligibleCategory)
class EligibleCategoryAdmin(SimpleHistoryAdmin):
    """The eligibility list the DITP keeps; a category leaves the list by being deactivated, never deleted."""

    list_display = ("name", "kind", "is_active", "created_at")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "description")

    def has_delete_permission(self, request, obj=None):
        return False


class EligibilityRequestLogInline(admin.TabularInline):
    model = EligibilityRequestLog
    extra = 0
    can_delete = False
    fields = ("at", "transition", "from_state", "to_state", "actor", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EligibilityRequest)
class EligibilityRequestAdmin(SimpleHistoryAdmin):
    """Read-only: requests are filed, forwarded and decided on the platform, which records who did what."""

    list_display = ("service_name", "proposed_category", "kind", "central_service", "status", "created_at")
    list_filter = ("status", "kind")
    list_select_related = ("central_service",)
    search_fields = ("service_name", "siret", "proposed_category")
    inlines = [EligibilityRequestLogInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Contracts and application files (§3.2, §3.5) -----------------------------------------------------------------


@admin.register(ServiceContract)
class ServiceContractAdmin(SimpleHistoryAdmin):
    list_display = (
        "__str__",
        "certification_body",
        "local_service",
        "central_service",
        "signed_on",
        "cycle_start",
        "cycle_end",
        "terminated_on",
    )
    list_filter = ("certification_body",)
    list_select_related = ("certification_body", "local_service", "central_service")
    search_fields = ("local_service__name", "central_service__name", "certification_body__name")
    autocomplete_fields = ("certification_body", "local_service", "central_service", "recorded_by")
    readonly_fields = ("recorded_by", "recorded_at")

    def has_delete_permission(self, request, obj=None):
        return False


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ApplicationDocumentInline(_ReadOnlyInline):
    model = ApplicationDocument
    fk_name = "application"
    fields = ("piece", "original_name", "content_type", "size", "uploaded_by", "uploaded_at", "superseded_at")


class ApplicationLogInline(_ReadOnlyInline):
    model = ApplicationLog
    fields = ("at", "transition", "from_state", "to_state", "actor", "reason")


class ApplicationMessageInline(_ReadOnlyInline):
    model = ApplicationMessage
    fields = ("created_at", "author", "from_certification_body", "body")


class ChecklistEntryInline(_ReadOnlyInline):
    model = ChecklistEntry
    fields = ("item", "is_ok", "comment", "checked_by", "checked_at")


@admin.register(Application)
class ApplicationAdmin(SimpleHistoryAdmin):
    """Read-only: a file moves only through the platform's workflow, which logs every step."""

    list_display = ("__str__", "kind", "status", "certification_body", "submitted_at", "created_at")
    list_filter = ("status", "kind", "certification_body")
    list_select_related = ("local_service", "central_service", "certification_body")
    search_fields = ("local_service__name", "central_service__name", "certification_body__name")
    inlines = [
        ApplicationDocumentInline,
        ChecklistEntryInline,
        ApplicationMessageInline,
        ApplicationLogInline,
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
