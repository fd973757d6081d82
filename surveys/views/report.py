"""The results report of a campaign (§3.4), as a PDF: whoever reads the campaign may download it."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from surveys.models import Campaign
from surveys.report import render_results_report, report_filename


@require_GET
def results_report(request, pk):
    campaign = get_object_or_404(
        Campaign.objects.for_user(request.user).select_related("local_service", "questionnaire"), pk=pk
    )
    response = HttpResponse(render_results_report(campaign), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report_filename(campaign)}"'
    return response
