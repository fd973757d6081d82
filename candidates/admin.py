from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from candidates.models import CentralService, LocalService, Site


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
