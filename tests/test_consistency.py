"""Meta-tests: project-wide rules that are easy to forget when adding a model or a page."""

import pytest
from django.apps import apps
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import registered_models

from labelsp.workflow import TransitionLog

OUR_APPS = {"accounts", "candidates", "audits", "surveys", "decisions", "registry"}


def _business_models():
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        if issubclass(model, UserObjectPermissionBase | GroupObjectPermissionBase):
            continue  # permission rows, managed by the membership services
        if model.__name__.startswith("Historical"):
            continue
        if issubclass(model, TransitionLog):
            continue  # append-only logs: never edited, so no history of edits
        yield model


def _history_required(model) -> bool:
    return not getattr(model, "HISTORY_EXEMPT", "")


@pytest.mark.parametrize("model", list(_business_models()), ids=lambda m: m._meta.label)
def test_every_business_model_keeps_its_history(model):
    if not _history_required(model):
        assert not hasattr(model, "history"), f"{model} declares HISTORY_EXEMPT but has a history"
        return
    assert model in registered_models.values() or hasattr(model, "history"), model


def test_there_are_business_models_to_check():
    assert len(list(_business_models())) >= 6


@pytest.mark.parametrize("model", list(_business_models()), ids=lambda m: m._meta.label)
def test_every_business_model_has_a_french_verbose_name(model):
    assert "verbose_name" in model._meta.original_attrs, f"{model} needs a verbose_name (shown in the admin)"


def test_transition_logs_cannot_be_edited_through_the_admin():
    from django.contrib import admin

    for model in apps.get_models():
        if issubclass(model, TransitionLog) and model in admin.site._registry:
            model_admin = admin.site._registry[model]
            assert not model_admin.has_change_permission(None), model
            assert not model_admin.has_delete_permission(None), model
