"""TEMPORARY placeholders, replaced by the real views before commit."""

from django.http import Http404


def category_list(request, pk=None):  # placeholder
    raise Http404


def request_list(request, pk=None):  # placeholder
    raise Http404


def request_create(request, pk=None):  # placeholder
    raise Http404


def request_detail(request, pk=None):  # placeholder
    raise Http404


def request_forward(request, pk=None):  # placeholder
    raise Http404


def request_decide(request, pk=None):  # placeholder
    raise Http404

