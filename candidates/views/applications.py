"""TEMPORARY placeholders, replaced by the real views before commit."""

from django.http import Http404


def application_list(request, pk=None):  # placeholder
    raise Http404


def application_create(request, pk=None):  # placeholder
    raise Http404


def application_detail(request, pk=None):  # placeholder
    raise Http404


def application_edit(request, pk=None):  # placeholder
    raise Http404


def document_upload(request, pk=None):  # placeholder
    raise Http404


def application_submit(request, pk=None):  # placeholder
    raise Http404


def application_withdraw(request, pk=None):  # placeholder
    raise Http404


def message_post(request, pk=None):  # placeholder
    raise Http404


def document_download(request, pk=None):  # placeholder
    raise Http404

