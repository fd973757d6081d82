"""TEMPORARY placeholders, replaced by the real views before commit."""

from django.http import Http404


def inbox(request, pk=None):  # placeholder
    raise Http404


def application_review(request, pk=None):  # placeholder
    raise Http404


def application_close(request, pk=None):  # placeholder
    raise Http404

