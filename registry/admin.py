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
    # Once created, a body's habilitation changes only through the DITP back office, which logs each transition.
    HABILITATION_FIELDS = (
        "habilitation_status",
        "habilitation_start",
        "habilitation_end",
        "engagement_contract_signed_on",
    )

    def get_readonly_fields(self, request, obj=None):
        return self.HABILITATION_FIELDS if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False
