"""The platform's default questionnaires, written in its own words from the 8 commitments (the official annexes
4 and 5 are not public): the user survey (15 questions) and the agent survey (11 questions). The DITP publishes
new versions; campaigns keep the version they started with."""

from django.db import migrations
from django.utils import timezone

USER_QUESTIONS = [
    ("U1a", "1", "Vous avez été accueilli(e) avec respect et courtoisie."),
    ("U1b", "1", "Vous avez pu signaler une erreur ou poser vos questions sans crainte d’être jugé(e)."),
    ("U2a", "2", "Vous avez facilement trouvé comment contacter le service (téléphone, courriel, accueil, en ligne)."),
    ("U2b", "2", "Vous avez obtenu une réponse lorsque vous avez cherché à joindre le service."),
    ("U3a", "3", "Le service a tenu compte de votre situation personnelle."),
    ("U3b", "3", "Vous avez été accompagné(e) jusqu’au bout de votre démarche, y compris en cas de difficulté."),
    ("U4a", "4", "Le service vous a indiqué le délai de traitement de votre demande."),
    ("U4b", "4", "Votre demande a été traitée dans le délai annoncé."),
    ("U5a", "5", "Les informations données étaient claires et faciles à comprendre."),
    ("U5b", "5", "Les documents et courriers reçus étaient simples et accessibles."),
    ("U6", "6", "Vous savez où consulter les résultats de qualité de service de ce service."),
    ("U7a", "7", "Vous avez eu l’occasion de donner votre avis sur le service."),
    ("U7b", "7", "Vous avez le sentiment que l’avis des usagers permet d’améliorer le service."),
    ("U8", "8", "Le service vous a proposé des démarches qui limitent les déplacements et le papier."),
    ("U9", "satisfaction", "Globalement, vous êtes satisfait(e) de la qualité du service rendu."),
]
AGENT_QUESTIONS = [
    ("A1", "Je connais les 8 engagements Services Publics+ de mon service."),
    ("A2", "Les engagements Services Publics+ se traduisent concrètement dans mon travail quotidien."),
    ("A3", "J’ai été formé(e) pour accueillir et accompagner les usagers selon ces engagements."),
    ("A4", "Je dispose des outils nécessaires pour répondre aux usagers dans les délais annoncés."),
    ("A5", "Les avis et réclamations des usagers me sont communiqués."),
    ("A6", "Les avis des usagers conduisent à des améliorations concrètes de notre organisation."),
    ("A7", "Je peux proposer des améliorations du service rendu aux usagers."),
    ("A8", "Les résultats de qualité de service sont partagés au sein de l’équipe."),
    ("A9", "Le droit à l’erreur des usagers est reconnu et appliqué dans mon service."),
    ("A10", "Mon encadrement soutient la démarche d’amélioration continue."),
    ("A11", "Depuis le lancement de la démarche, la qualité du service rendu aux usagers s’est améliorée."),
]


def create(apps, schema_editor):
    Questionnaire = apps.get_model("surveys", "Questionnaire")
    Question = apps.get_model("surveys", "Question")
    now = timezone.now()
    users, created = Questionnaire.objects.get_or_create(
        kind="users", number=1, defaults={"title": "Enquête usagers — version de la plateforme", "published_at": now}
    )
    if created:
        for position, (code, group, text) in enumerate(USER_QUESTIONS, start=1):
            Question.objects.create(questionnaire=users, code=code, position=position, text=text, group=group)
    agents, created = Questionnaire.objects.get_or_create(
        kind="agents", number=1, defaults={"title": "Enquête agents — version de la plateforme", "published_at": now}
    )
    if created:
        for position, (code, text) in enumerate(AGENT_QUESTIONS, start=1):
            Question.objects.create(questionnaire=agents, code=code, position=position, text=text, group="")


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
