from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from labelsp.accounts import services
from labelsp.accounts.enums import ROLE_ORGANISATION_FIELD, Role
from labelsp.accounts.models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    can_delete = False
    fields = ("role", "local_service", "central_service", "certification_body", "created_at", "revoked_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_active", "is_staff")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name")}),
        (_("Droits"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = [MembershipInline]

    def has_delete_permission(self, request, obj=None):
        return False  # people are deactivated, never deleted: their acts stay attributable


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = (
        "user",
        "role",
        "local_service",
        "central_service",
        "certification_body",
        "created_at",
        "revoked_at",
    )
    list_filter = ("role",)
    search_fields = (
        "user__email",
        "local_service__name",
        "central_service__name",
        "certification_body__name",
    )
    autocomplete_fields = ("user", "local_service", "central_service", "certification_body")
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        # A membership is never edited: it is granted, then revoked.
        if obj is not None:
            return (
                "user",
                "role",
                "local_service",
                "central_service",
                "certification_body",
                "created_at",
                "revoked_at",
            )
        return ("created_at", "revoked_at")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        field = ROLE_ORGANISATION_FIELD[Role(obj.role)]
        granted = services.membership_grant(
            user=obj.user, role=obj.role, organisation=getattr(obj, field) if field else None
        )
        obj.pk = granted.pk

    @admin.action(description=_("Révoquer les rattachements sélectionnés"))
    def revoke(self, request, queryset):
        for membership in queryset.active():
            services.membership_revoke(membership=membership)
        self.message_user(request, _("Rattachements révoqués."), messages.SUCCESS)
