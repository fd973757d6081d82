"""TEMPORARY placeholders, replaced by the real views before commit."""

from django.http import Http404


def register(request, pk=None):  # placeholder
    raise Http404


def site_add(request, pk=None):  # placeholder
    raise Http404


def site_edit(request, pk=None):  # placeholder
    raise Http404


def site_deactivate(request, pk=None):  # placeholder
    raise Http404


def perimeter_edit(request, pk=None):  # placeholder
    raise Http404


def contract_create(request, pk=None):  # placeholder
    raise Http404

