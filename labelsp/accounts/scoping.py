"""The two primitives every `for_user()` scoping helper is built from.

Deny by default: an object is visible only through a national role (the DITP sees every
organisation) or through an object permission granted by a membership (django-guardian, direct
foreign-key permission tables, global permissions never count).
"""

from guardian.shortcuts import get_objects_for_user

from labelsp.accounts.enums import Role


def sees_everything(user) -> bool:
    """The DITP keeps the scheme: it may read every organisation."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    cache = getattr(user, "_labelsp_national_roles", None)
    if cache is None:
        cache = set(user.memberships.active().filter(role__in=[Role.DITP]).values_list("role", flat=True))
        user._labelsp_national_roles = cache
    return Role.DITP in cache


def objects_with_perm(user, perm: str, model):
    """Primary keys of the `model` objects on which `user` holds `perm` (a values() queryset)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return model.objects.none().values("pk")
    return get_objects_for_user(
        user, perm, klass=model, accept_global_perms=False, with_superuser=False, use_groups=False
    ).values("pk")


def holds_perm(user, perm: str, obj) -> bool:
    """Whether a membership granted `user` the object permission `perm` on `obj`.

    Unlike `user.has_perm`, a superuser gets no shortcut: the admin staff act in the application only through
    their memberships, like everyone else (and the same rule as the `for_user` scopes).
    """
    from guardian.shortcuts import get_user_perms

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return perm.split(".", 1)[1] in get_user_perms(user, obj)
