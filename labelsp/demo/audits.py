"""Demo audits (issue #5): one being graded on a tablet, one finished with its report.

- CAF de la Gironde (acknowledged file, Certiqual): Julien Mercier, lead auditor, declared no conflict of interest;
  the sites were drawn at random; the plan was sent four weeks ago for a visit today; about half of the
  checkpoints are graded, with comments.
- Mairie de Villeurbanne (file closed, refused for its user survey): audited three months ago by Nadia Benali; every
  checkpoint graded, closing meeting held, report sent (PDF stored) and the file passed on for decision.

Everything goes through the services, as a real session would; the past dates of the finished audit are set
afterwards. Idempotent: an audit that exists is left as it is.
"""

import datetime
import uuid

from django.utils import timezone

from audits import services
from audits.enums import AssignmentStatus, AuditScope, DrawKind, GridKind
from audits.models import Audit, AuditAssignment, AuditGrid, Checkpoint
from candidates.models import Application, LocalService
from labelsp.accounts.models import User
from labelsp.demo import DemoAccount, SeedCounter
from labelsp.demo import organisations as org

CERTIQUAL = org.CERTIFICATION_BODIES[0]
# Grades of the finished audit, by checkpoint code (1 when not listed): Bronze on the audit, short of Argent.
FINISHED_GRADES = {
    "1.3": 0.75,
    "2.2": 0.25,
    "2.3": 0.75,
    "4.2": 0.25,
    "4.3": 0.75,
    "6.2": 0.75,
    "OR.2": 0.25,
    "OR.3": 0.25,
    "OR.4": 0,
}
COMMENTS = {
    "1.1": "Formation « accueil bienveillant » suivie par 41 agents sur 47 (feuilles d’émargement vues).",
    "2.2": "Taux de décroché mesuré, mais aucun suivi mensuel présenté.",
    "4.2": "Délais mesurés sur deux démarches seulement.",
    "OR.4": "Pas encore d’usagers associés aux améliorations.",
}


def seed(stdout) -> list[DemoAccount]:
    counter = SeedCounter("Audits")
    users = {u.email: u for u in User.objects.filter(email__endswith=".example")}
    manager = users[CERTIQUAL.manager.email]
    lead, second = (users[person.email] for person in CERTIQUAL.auditors)
    _being_graded(counter, manager, lead)
    _finished(counter, manager, second)
    stdout.write(f"  {counter}")
    return []


def _application(name):
    return (
        Application.objects.filter(local_service=LocalService.objects.get(name=name)).order_by("-pk").first()
    )


def _team(audit, manager, auditor):
    assignment = services.assignment_propose(user=manager, audit=audit, auditor=auditor, is_lead=True)
    services.assignment_declare(user=auditor, assignment=assignment, no_conflict=True)


def _grade(audit, auditor, points_of, *, only=None):
    checkpoints = list(Checkpoint.objects.filter(grid=audit.grid).order_by("position"))
    if only is not None:
        checkpoints = checkpoints[:only]
    services.audit_grade_batch(
        user=auditor,
        audit_id=audit.pk,
        device_id="demo-tablette",
        ops=[
            {
                "op": str(uuid.uuid5(uuid.NAMESPACE_URL, f"demo-audit-{audit.pk}-{checkpoint.code}")),
                "checkpoint": checkpoint.pk,
                "points": str(points_of(checkpoint.code)),
                "comment": COMMENTS.get(checkpoint.code, ""),
                "base_version": 0,
            }
            for checkpoint in checkpoints
        ],
    )


def _plan(audit, manager, visit_on, sent_on):
    services.audit_plan_save(
        user=manager,
        audit=audit,
        visit_start=visit_on,
        visit_end=visit_on,
        duration_days=1,
        sites=list(audit.sites.all()),
        resource_persons="Mme Claire Fontaine, responsable qualité — 05 56 00 00 00\nM. Paul Roche, chef de l’accueil",
        agenda="9 h : réunion d’ouverture\n9 h 30 – 12 h : entretiens et observation de l’accueil\n"
        "14 h – 16 h : visite des sites tirés au sort\n16 h 30 : réunion de clôture",
        today=sent_on,
    )
    services.audit_plan_send(user=manager, audit=audit, today=sent_on)


def _being_graded(counter, manager, auditor):
    application = _application("CAF de la Gironde")
    existing = Audit.objects.filter(application=application).first()
    counter.add(existing is None)
    if existing:
        return existing
    today = timezone.localdate()
    audit = services.audit_create(user=manager, application=application)
    _team(audit, manager, auditor)
    services.audit_draw(user=manager, audit=audit, kind=DrawKind.SITES)
    _plan(audit, manager, visit_on=today, sent_on=today - datetime.timedelta(days=28))
    # Half the grid graded this morning: commitments 1 to 4.
    _grade(audit, auditor, lambda code: FINISHED_GRADES.get(code, 1.0), only=14)
    return audit


def _finished(counter, manager, auditor):
    application = _application("Mairie de Villeurbanne")
    existing = Audit.objects.filter(application=application).first()
    counter.add(existing is None)
    if existing:
        return existing
    today = timezone.localdate()
    visit_on = today - datetime.timedelta(days=90)
    # The file is closed (refused) now; the audit took place while it was acknowledged.
    audit = Audit.objects.create(
        application=application,
        kind=application.kind,
        scope=AuditScope.LOCAL,
        local_service=application.local_service,
        certification_body=application.certification_body,
        grid=AuditGrid.objects.current(GridKind.LOCAL),
        created_by=manager,
    )
    _team(audit, manager, auditor)
    audit.sites.set(application.local_service.sites.filter(is_active=True))
    _plan(audit, manager, visit_on=visit_on, sent_on=visit_on - datetime.timedelta(days=30))
    _grade(audit, auditor, lambda code: FINISHED_GRADES.get(code, 1.0))
    services.audit_closing_record(
        user=auditor,
        audit=audit,
        summary="Accueil de qualité et équipes engagées ; le suivi des délais et l’association des usagers restent à "
        "structurer.",
    )
    services.audit_report_save(
        user=auditor,
        audit=audit,
        report_presentation="La mairie de Villeurbanne accueille ses usagers à l’hôtel de ville et dans deux mairies "
        "annexes : état civil, titres d’identité, inscriptions scolaires.",
        report_synthesis="Les engagements 1, 3, 5, 7 et 8 sont pleinement mis en œuvre. La mesure des délais "
        "(engagement 4) et la joignabilité téléphonique (engagement 2) sont en progrès.",
        report_illustrations="Prise de rendez-vous en ligne pour les titres ; fiche « droit à l’erreur » remise à "
        "l’accueil ; affichage trimestriel des résultats de qualité.",
        report_strengths="Formation de 87 % des agents d’accueil ; recueil des avis sur tous les canaux.",
        report_improvements="Suivre mensuellement le taux de décroché ; mesurer les délais de toutes les démarches ; "
        "associer des usagers à la conception des améliorations.",
    )
    services.audit_report_send(user=auditor, audit=audit)
    # Back to the dates it really happened: report 14 days after the visit, passed on for decision 11 days later.
    sent = timezone.make_aware(
        datetime.datetime.combine(visit_on + datetime.timedelta(days=14), datetime.time(10))
    )
    Audit.objects.filter(pk=audit.pk).update(
        report_sent_at=sent, plan_sent_at=sent - datetime.timedelta(days=44)
    )
    audit.refresh_from_db()
    services.audit_close(user=manager, audit=audit)
    Audit.objects.filter(pk=audit.pk).update(closed_at=sent + datetime.timedelta(days=11))
    AuditAssignment.objects.filter(audit=audit, status=AssignmentStatus.ASSIGNED).update(
        declared_at=sent - datetime.timedelta(days=50)
    )
    return audit
