"""The default eligibility list (annex 3 categories), which the DITP then maintains (§1.4)."""

from django.db import migrations

DEFAULT_CATEGORIES = [
    ("Préfectures et sous-préfectures", "state_deconcentrated"),
    ("Directions départementales interministérielles", "state_deconcentrated"),
    ("Services des impôts des particuliers et des entreprises", "state_deconcentrated"),
    ("Tribunaux judiciaires et conseils de prud’hommes", "state_deconcentrated"),
    ("Agences France Travail", "state_establishment"),
    ("Universités et établissements d’enseignement supérieur", "state_establishment"),
    ("Musées nationaux", "state_establishment"),
    ("Caisses d’allocations familiales", "social_security"),
    ("Caisses primaires d’assurance maladie", "social_security"),
    ("Caisses d’assurance retraite et de la santé au travail", "social_security"),
    ("Unions de recouvrement des cotisations (Urssaf)", "social_security"),
    ("Mutualité sociale agricole", "social_security"),
    ("Établissements publics locaux d’enseignement", "eple"),
    ("Établissements publics de santé", "public_hospital"),
    ("Communes", "commune"),
    ("Établissements publics de coopération intercommunale", "epci"),
    ("Départements", "departement"),
    ("Régions", "region"),
    ("Collectivités à statut particulier", "special_status"),
]


def create(apps, schema_editor):
    EligibleCategory = apps.get_model("candidates", "EligibleCategory")
    for name, kind in DEFAULT_CATEGORIES:
        EligibleCategory.objects.get_or_create(name=name, defaults={"kind": kind})


class Migration(migrations.Migration):
    dependencies = [("candidates", "0002_application_file")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
