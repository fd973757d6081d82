from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from registry.models import CertificationBody


@admin.register(CertificationBody)
class CertificationBodyAdmin(SimpleHistoryAdmin):
    list_display = (
        "name",
        "accreditation_number",
        "accreditation_standard",
        "habilitation_status",
        "habilitation_end",
    )
    list_filter = ("habilitation_status", "accreditation_standard")
    search_fields = ("name", "siret", "accreditation_number")

    def has_delete_permission(self, request, obj=None):
        return False
