"""Who may do what on a label and its decisions: one helper per action, used by every view and service (deny by
default). Reading is the scope of `Label.objects.for_user` / `Decision.objects.for_user`; these helpers decide who
may change what they read."""

from candidates.permissions import can_manage_candidate
from labelsp.accounts.scoping import holds_perm


def _is_body_manager(user, certification_body) -> bool:
    return holds_perm(user, "registry.change_certificationbody", certification_body)


def can_manage_label(user, label) -> bool:
    """The managers of the body that issued the label suspend, lift and withdraw it (§5.3)."""
    return _is_body_manager(user, label.certification_body)


def can_act_for_labelled_service(user, label) -> bool:
    """The labelled service's own staff (a central service's staff for a central label) produce action plans and
    download the trademark kit; a central service only reads its locals' labels."""
    return can_manage_candidate(user, label.local_service or label.central_service)


def can_file_appeal(user, decision) -> bool:
    """The service the decision is about appeals it (§5.1)."""
    return can_manage_candidate(user, decision.candidate)


def can_record_appeal(user, appeal) -> bool:
    """The body's managers record the outcome given by its impartial committee (§5.1)."""
    return _is_body_manager(user, appeal.decision.certification_body)


def can_list_body_labels(user, certification_body) -> bool:
    return _is_body_manager(user, certification_body)
