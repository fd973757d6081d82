"""`make bench` only (labelsp/settings/bench.py): the site's URLs plus the baseline, a view that answers "ok"."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

from labelsp.urls import handler403, handler404, handler500, urlpatterns  # noqa: F401 - the site's, unchanged


@login_not_required
def ok(request):
    return HttpResponse("ok")


urlpatterns = [*urlpatterns, path("bench/ok/", ok, name="bench_ok")]
