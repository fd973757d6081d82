"""The DITP publishes audit grid versions from a file (DOMAIN « Audit grading »: the grid is data, versioned):
audits/grid_files.py, audits/services_grids.py, audits/views/grids.py."""

import copy
import hashlib
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audits.enums import LOCAL_SECTIONS, GridKind
from audits.grid_files import MAX_BYTES, dump_grid, parse_grid
from audits.models import AuditGrid, Checkpoint, GridSection
from audits.services_grids import grid_as_parsed, grid_publish
from tests.accounts.factories import UserFactory
from tests.audits.factories import AuditFactory
from tests.candidates.factories import PDF_BYTES

pytestmark = pytest.mark.django_db

GRIDS = Path(settings.BASE_DIR) / "audits" / "grids"
DOC = Path(settings.BASE_DIR) / "docs" / "grid-format.md"
LIST_URL = reverse("audits:grid_list")


def _documented_examples() -> dict[str, dict]:
    """The complete examples of docs/grid-format.md, by kind: the documentation must stay true."""
    blocks = re.findall(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    return {document["kind"]: document for document in map(json.loads, blocks)}


EXAMPLES = _documented_examples()


def local_doc() -> dict:
    return copy.deepcopy(EXAMPLES["local"])


def central_doc() -> dict:
    return copy.deepcopy(EXAMPLES["central"])


def _bytes(document) -> bytes:
    return document if isinstance(document, bytes) else json.dumps(document, ensure_ascii=False).encode()


def _upload(document, name="grille.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _bytes(document), content_type="application/json")


def _refusal(document, kind="local") -> list[str]:
    """The messages of the parser's refusal of `document`."""
    with pytest.raises(ValidationError) as refusal:
        parse_grid(_bytes(document), kind=kind)
    return refusal.value.messages


@pytest.fixture
def ditp():
    return UserFactory(ditp=True)


@pytest.fixture
def ditp_client(login, ditp):
    return login(ditp)


def _post(client, document, kind="local"):
    return client.post(LIST_URL, {"kind": kind, "file": _upload(document)})


def _field_errors(response, field="file") -> str:
    """The text of the error paragraph next to `field`."""
    html = response.content.decode()
    match = re.search(rf'<p class="fr-error-text" id="id_{field}-error">(.*?)</p>', html, flags=re.S)
    assert match, f"no error next to the {field} field"
    assert f'aria-describedby="id_{field}-error"' in html
    return match.group(1)


def _assert_refused(client, document, message, kind="local"):
    """The file is refused with `message` next to the file field, and nothing is created."""
    counts = (AuditGrid.objects.count(), GridSection.objects.count(), Checkpoint.objects.count())
    response = _post(client, document, kind=kind)
    assert response.status_code == 200
    assert message in _field_errors(response)
    assert "fr-upload-group--error" in response.content.decode()
    assert (AuditGrid.objects.count(), GridSection.objects.count(), Checkpoint.objects.count()) == counts
    assert AuditGrid.objects.current(kind).version == 1
    return response


# --- The pure parser ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "sections", "checkpoints"), [("local", 9, 28), ("central", 3, 10)])
def test_the_shipped_grids_parse_into_what_version_1_stores(kind, sections, checkpoints):
    parsed = parse_grid((GRIDS / f"{kind}-v1.json").read_bytes(), kind=kind)
    assert (len(parsed.sections), parsed.checkpoint_count) == (sections, checkpoints)
    # Version 1 was loaded by a migration that does not use the parser: both read the file the same way.
    assert parsed == grid_as_parsed(AuditGrid.objects.get(kind=kind, version=1))


def test_the_shipped_local_grid_has_the_eight_commitments_then_or():
    parsed = parse_grid((GRIDS / "local-v1.json").read_bytes(), kind="local")
    assert tuple(section.code for section in parsed.sections) == LOCAL_SECTIONS


@pytest.mark.parametrize("kind", ["local", "central"])
def test_the_documented_examples_parse(kind):
    parsed = parse_grid(_bytes(EXAMPLES[kind]), kind=kind)
    assert parsed.kind == kind
    assert parsed.sections[0].checkpoints[0].code == EXAMPLES[kind]["sections"][0]["checkpoints"][0]["code"]
    # A checkpoint without "guidance" has an empty one.
    assert parsed.sections[0].checkpoints[1].guidance == ""


def test_a_byte_order_mark_and_integer_section_codes_are_accepted():
    document = local_doc()
    for section in document["sections"][:8]:
        section["code"] = int(section["code"])
    parsed = parse_grid("\ufeff".encode() + _bytes(document), kind="local")
    assert tuple(section.code for section in parsed.sections) == LOCAL_SECTIONS


def test_spaces_and_line_breaks_are_reduced_and_dump_is_the_inverse_of_parse():
    document = central_doc()
    document["sections"][0]["checkpoints"][0]["requirement"] = "  Un   responsable\nnational  est désigné. "
    parsed = parse_grid(_bytes(document), kind="central")
    assert parsed.sections[0].checkpoints[0].requirement == "Un responsable national est désigné."
    assert parse_grid(dump_grid(parsed), kind="central") == parsed


def test_the_kind_must_match_the_one_chosen():
    assert _refusal(central_doc(), kind="local") == [
        "Le fichier décrit une grille « central » alors que vous publiez une version de la grille d’audit d’un "
        "service local (« kind » attendu : « local »)."
    ]


def test_the_kind_is_required():
    document = local_doc()
    del document["kind"]
    assert "La clé « kind » est obligatoire : « local » pour cette grille." in _refusal(document)


def test_the_local_grid_needs_section_4():
    document = local_doc()
    del document["sections"][3]
    assert _refusal(document) == [
        "La partie « 4 » (l’engagement 4) manque : la grille locale compte les parties « 1 », « 2 », « 3 », "
        "« 4 », « 5 », « 6 », « 7 », « 8 », « or »."
    ]


def test_the_local_grid_needs_the_or_section():
    document = local_doc()
    document["sections"].pop()
    assert "La partie « or » (les critères « Or ») manque" in _refusal(document)[0]


def test_the_local_grid_refuses_an_extra_section():
    document = local_doc()
    document["sections"].append(
        {
            "code": "9",
            "title": "Engagement 9",
            "checkpoints": [{"code": "9.1", "requirement": "Une exigence."}],
        }
    )
    assert _refusal(document) == [
        "Partie 10 (9) : partie inconnue de la grille locale, dont les parties sont « 1 », « 2 », « 3 », « 4 », "
        "« 5 », « 6 », « 7 », « 8 », « or »."
    ]


def test_the_local_sections_follow_the_order_1_to_8_then_or():
    document = local_doc()
    document["sections"].insert(0, document["sections"].pop())
    assert _refusal(document) == [
        "Les parties de la grille locale doivent se suivre dans l’ordre « 1 », « 2 », « 3 », « 4 », « 5 », « 6 », "
        "« 7 », « 8 », « or » (ordre du fichier : « or », « 1 », « 2 », « 3 », « 4 », « 5 », « 6 », « 7 », « 8 »)."
    ]


def test_a_local_section_given_twice_is_refused():
    document = local_doc()
    document["sections"][3]["code"] = "3"
    messages = _refusal(document)
    assert "Le code de partie « 3 » est utilisé par 2 parties : chaque code doit être unique." in messages
    assert any(message.startswith("La partie « 4 » (l’engagement 4) manque") for message in messages)


def test_the_central_grid_has_free_section_codes_but_unique_ones():
    document = central_doc()
    document["sections"][1]["code"] = "C1"
    assert _refusal(document, kind="central") == [
        "Le code de partie « C1 » est utilisé par 2 parties : chaque code doit être unique."
    ]


@pytest.mark.parametrize(("count", "valid"), [(0, False), (1, True), (20, True), (21, False)])
def test_the_central_grid_has_1_to_20_sections(count, valid):
    document = central_doc()
    document["sections"] = [
        {
            "code": f"S{n}",
            "title": f"Partie {n}",
            "checkpoints": [{"code": f"S{n}.1", "requirement": "Exigence."}],
        }
        for n in range(1, count + 1)
    ]
    if valid:
        assert len(parse_grid(_bytes(document), kind="central").sections) == count
    else:
        assert _refusal(document, kind="central") == [
            f"La grille centrale compte de 1 à 20 parties : le fichier en contient {count}."
        ]


def test_checkpoint_codes_are_unique_in_the_whole_grid():
    document = local_doc()
    document["sections"][1]["checkpoints"][0]["code"] = "1.1"  # section 2 reuses section 1's code
    assert _refusal(document) == [
        "Le code « 1.1 » est utilisé par 2 points de contrôle : chaque code doit être unique dans la grille."
    ]


def test_a_section_without_checkpoints_is_refused():
    document = local_doc()
    document["sections"][2]["checkpoints"] = []
    assert _refusal(document) == ["Partie 3 (3) : la partie doit compter au moins un point de contrôle."]


def test_a_section_without_the_checkpoints_key_is_refused():
    document = central_doc()
    del document["sections"][1]["checkpoints"]
    assert _refusal(document, kind="central") == [
        "Partie 2 (C2) : la clé « checkpoints » est obligatoire (la liste des points de contrôle)."
    ]


@pytest.mark.parametrize(("length", "valid"), [(4, False), (5, True), (1000, True), (1001, False)])
def test_requirement_length_boundaries(length, valid):
    document = local_doc()
    document["sections"][1]["checkpoints"][0]["requirement"] = "x" * length
    if valid:
        parsed = parse_grid(_bytes(document), kind="local")
        assert parsed.sections[1].checkpoints[0].requirement == "x" * length
    else:
        assert _refusal(document) == [
            f"Partie 2 (2), point de contrôle 1 (2.1) : l’exigence doit compter de 5 à 1000 caractères "
            f"(elle en compte {length})."
        ]


def test_a_guidance_over_1000_characters_is_refused():
    document = local_doc()
    document["sections"][0]["checkpoints"][0]["guidance"] = "x" * 1000
    assert parse_grid(_bytes(document), kind="local").sections[0].checkpoints[0].guidance == "x" * 1000
    document["sections"][0]["checkpoints"][0]["guidance"] = "x" * 1001
    assert _refusal(document) == [
        "Partie 1 (1), point de contrôle 1 (1.1) : les éléments de preuve comptent 1001 caractères : 1000 au plus."
    ]


@pytest.mark.parametrize(("key", "length", "message"), [
    ("grid", 201, "Le titre de la grille compte 201 caractères : 200 au plus."),
    ("section", 301, "Partie 1 (C1) : l’intitulé compte 301 caractères : 300 au plus."),
])  # fmt: skip
def test_titles_have_a_maximum_length(key, length, message):
    document = central_doc()
    target = document if key == "grid" else document["sections"][0]
    target["title"] = "x" * (length - 1)
    parse_grid(_bytes(document), kind="central")
    target["title"] = "x" * length
    assert _refusal(document, kind="central") == [message]


@pytest.mark.parametrize(
    ("code", "valid"), [("A" * 20, True), ("A" * 21, False), ("a_B-9.1", True), ("", False), ("1 2", False)]
)
def test_checkpoint_code_boundaries(code, valid):
    document = central_doc()
    document["sections"][0]["checkpoints"][0]["code"] = code
    if valid:
        assert parse_grid(_bytes(document), kind="central").sections[0].checkpoints[0].code == code
    else:
        assert "le code doit compter de 1 à 20 caractères" in _refusal(document, kind="central")[0]


def test_at_most_300_checkpoints():
    document = central_doc()
    document["sections"] = [
        {
            "code": f"S{n}",
            "title": f"Partie {n}",
            "checkpoints": [{"code": f"S{n}.{m}", "requirement": "Exigence."} for m in range(1, 31)],
        }
        for n in range(1, 11)
    ]
    assert parse_grid(_bytes(document), kind="central").checkpoint_count == 300
    document["sections"][0]["checkpoints"].append({"code": "S1.31", "requirement": "Une de trop."})
    assert _refusal(document, kind="central") == ["La grille compte 301 points de contrôle : 300 au plus."]


@pytest.mark.parametrize(("path", "message"), [
    ((), "Le fichier contient une clé inconnue : « version » (clés possibles : « kind », « title », « sections »)."),
    ((0,), "Partie 1 (1) contient une clé inconnue : « version » (clés possibles : « code », « title », "
           "« checkpoints »)."),
    ((0, 1), "Partie 1 (1), point de contrôle 2 (1.2) contient une clé inconnue : « version » (clés possibles : "
             "« code », « requirement », « guidance »)."),
])  # fmt: skip
def test_an_unknown_key_is_refused_at_every_level(path, message):
    document = local_doc()
    target = document
    if path:
        target = document["sections"][path[0]]
    if len(path) == 2:
        target = target["checkpoints"][path[1]]
    target["version"] = 2
    assert _refusal(document) == [message]


def test_a_misspelt_guidance_is_refused_not_ignored():
    document = local_doc()
    checkpoint = document["sections"][0]["checkpoints"][1]
    checkpoint["guidence"] = "Plan de formation."
    assert (
        "Partie 1 (1), point de contrôle 2 (1.2) contient une clé inconnue : « guidence »"
        in _refusal(document)[0]
    )


def test_invalid_json_is_refused_with_its_line_and_column():
    data = b'{\n  "kind": "local",\n  "title": "Grille"\n  "sections": []\n}'
    assert _refusal(data)[0].startswith("Le fichier n’est pas un JSON valide : erreur ligne 4, colonne 3")


def test_a_windows_1252_file_is_refused():
    data = json.dumps(local_doc(), ensure_ascii=False).encode("cp1252")
    messages = _refusal(data)
    assert len(messages) == 1
    assert messages[0].startswith("Le fichier n’est pas encodé en UTF-8 (octet ")


def test_a_json_list_instead_of_an_object_is_refused():
    assert _refusal([local_doc()]) == [
        "Le fichier doit contenir un objet JSON avec les clés « kind », « title » et « sections »."
    ]


def test_every_problem_is_listed_at_once():
    document = local_doc()
    document["title"] = ""
    document["sections"][0]["checkpoints"][0]["requirement"] = "Non"
    document["sections"][4]["checkpoints"][0]["code"] = "é"
    del document["sections"][5]
    messages = _refusal(document)
    assert "Le titre de la grille (« title ») doit être un texte non vide." in messages
    assert (
        "Partie 1 (1), point de contrôle 1 (1.1) : l’exigence doit compter de 5 à 1000 caractères (elle en compte 3)."
        in messages
    )
    assert any(message.startswith("Partie 5 (5), point de contrôle 1 (é) : le code") for message in messages)
    assert any(message.startswith("La partie « 6 » (l’engagement 6) manque") for message in messages)


def test_the_errors_listed_are_capped():
    document = central_doc()
    document["sections"][0]["checkpoints"] = [{"code": "!", "requirement": "x"} for _ in range(40)]
    messages = _refusal(document, kind="central")
    assert len(messages) == 31
    assert messages[-1] == "… et 51 autre(s) erreur(s) non listée(s)."


# --- Publishing --------------------------------------------------------------------------------------------------


def test_publishing_creates_version_2_which_becomes_current(ditp):
    document = local_doc()
    data = _bytes(document)

    grid = grid_publish(user=ditp, kind="local", uploaded_file=_upload(data))

    assert (grid.kind, grid.version, grid.title) == (
        "local",
        2,
        "Grille d’audit des services locaux — version 2026",
    )
    assert AuditGrid.objects.current(GridKind.LOCAL) == grid
    assert grid.published_by == ditp
    assert grid.source_sha256 == hashlib.sha256(data).hexdigest()
    assert list(grid.sections.order_by("position").values_list("position", "code")) == list(
        enumerate(LOCAL_SECTIONS, start=1)
    )
    # Checkpoints are numbered across the whole grid, in file order, each in its section.
    rows = list(
        grid.checkpoints.order_by("position").values_list("position", "section__code", "code", "guidance")
    )
    assert rows[:3] == [
        (1, "1", "1.1", "Plan de formation, feuilles d’émargement."),
        (2, "1", "1.2", ""),
        (3, "2", "2.1", "Site internet, affichage sur site."),
    ]
    assert rows[-1][:3] == (10, "or", "OR.1")
    assert grid_as_parsed(grid) == parse_grid(data, kind="local")
    # The other kind is untouched.
    assert AuditGrid.objects.current(GridKind.CENTRAL).version == 1


def test_an_existing_audit_keeps_its_version_and_new_audits_use_the_new_one(ditp):
    existing = AuditFactory()
    v1 = existing.grid
    assert (v1.kind, v1.version) == ("local", 1)
    v1_codes = list(v1.checkpoints.order_by("position").values_list("code", flat=True))

    grid_publish(user=ditp, kind="local", uploaded_file=_upload(local_doc()))

    existing.refresh_from_db()
    assert existing.grid == v1
    assert list(existing.grid.checkpoints.order_by("position").values_list("code", flat=True)) == v1_codes
    assert len(v1_codes) == 28
    assert AuditFactory().grid.version == 2


def test_versions_are_numbered_one_after_the_other(ditp):
    first = grid_publish(user=ditp, kind="central", uploaded_file=_upload(central_doc()))
    second = grid_publish(user=ditp, kind="central", uploaded_file=_upload(central_doc()))
    assert (first.version, second.version) == (2, 3)
    assert AuditGrid.objects.current("central") == second


@pytest.mark.parametrize("trait", ["candidate", "central", "auditor", "cb_manager", "commission"])
def test_the_service_refuses_anyone_but_the_ditp(trait):
    with pytest.raises(PermissionDenied):
        grid_publish(user=UserFactory(**{trait: True}), kind="local", uploaded_file=_upload(local_doc()))
    assert AuditGrid.objects.count() == 2


def test_the_service_refuses_an_unknown_kind(ditp):
    with pytest.raises(ValidationError) as refusal:
        grid_publish(user=ditp, kind="regional", uploaded_file=_upload(local_doc()))
    assert refusal.value.message_dict == {
        "kind": ["Choisissez la grille des services locaux ou des services centraux."]
    }


def test_the_service_keys_file_errors_on_file(ditp):
    with pytest.raises(ValidationError) as refusal:
        grid_publish(user=ditp, kind="local", uploaded_file=_upload(central_doc()))
    assert list(refusal.value.message_dict) == ["file"]


# --- The upload page ---------------------------------------------------------------------------------------------


def test_uploading_a_file_publishes_and_redirects_to_the_new_version(ditp_client):
    response = _post(ditp_client, central_doc(), kind="central")

    grid = AuditGrid.objects.get(kind="central", version=2)
    assert response.status_code == 302
    assert response.url == reverse("audits:grid_detail", args=[grid.pk])
    page = ditp_client.get(response.url).content.decode()
    assert "Version 2 de la grille d’audit d’un service central publiée" in page
    assert "Version en cours" in page


def test_a_byte_order_mark_is_accepted_by_the_page(ditp_client):
    response = _post(ditp_client, "\ufeff".encode() + _bytes(local_doc()))
    assert response.status_code == 302
    assert AuditGrid.objects.current("local").version == 2


def test_a_file_of_exactly_1_mb_is_accepted_and_one_more_byte_is_refused(ditp_client):
    data = _bytes(central_doc())
    data += b" " * (MAX_BYTES - len(data))
    assert _post(ditp_client, data + b" ", kind="central").status_code == 200
    assert AuditGrid.objects.current("central").version == 1
    assert _post(ditp_client, data, kind="central").status_code == 302
    assert AuditGrid.objects.current("central").version == 2


def test_a_file_over_1_mb_is_refused_next_to_the_field(ditp_client):
    data = _bytes(central_doc())
    data += b" " * (MAX_BYTES + 1 - len(data))
    _assert_refused(ditp_client, data, "Le fichier dépasse la taille maximale de 1,0\xa0Mio.", kind="central")


def test_a_binary_file_is_refused_by_its_content(ditp_client):
    _assert_refused(ditp_client, PDF_BYTES, "Le fichier doit être un fichier texte JSON encodé en UTF-8")


def test_a_windows_1252_file_is_refused_next_to_the_field(ditp_client):
    data = json.dumps(local_doc(), ensure_ascii=False).encode("cp1252")
    _assert_refused(ditp_client, data, "Le fichier n’est pas encodé en UTF-8")


def test_a_parser_refusal_is_shown_next_to_the_file_field(ditp_client):
    document = local_doc()
    del document["sections"][3]
    _assert_refused(ditp_client, document, "La partie « 4 » (l’engagement 4) manque")


def test_the_kind_is_required_in_the_form(ditp_client):
    response = ditp_client.post(LIST_URL, {"file": _upload(local_doc())})
    assert response.status_code == 200
    assert "Choisissez la grille des services locaux ou des services centraux." in _field_errors(
        response, "kind"
    )
    assert AuditGrid.objects.count() == 2


# --- Pages and permissions --------------------------------------------------------------------------------------


def test_the_list_shows_both_kinds_with_the_audits_using_each_version(ditp_client, ditp):
    AuditFactory.create_batch(2)
    grid_publish(user=ditp, kind="local", uploaded_file=_upload(local_doc()))
    AuditFactory()

    response = ditp_client.get(LIST_URL)

    assert response.status_code == 200
    rows = {
        (section["kind"], version.version): version.audit_count
        for section in response.context["kinds"]
        for version in section["versions"]
    }
    assert rows == {("local", 2): 1, ("local", 1): 2, ("central", 1): 0}
    current = {section["kind"]: section["current_pk"] for section in response.context["kinds"]}
    assert current == {
        "local": AuditGrid.objects.current("local").pk,
        "central": AuditGrid.objects.current("central").pk,
    }
    html = response.content.decode()
    assert "Grille d’audit des services locaux — version 2026" in html
    assert html.count("En cours") == 2
    assert 'name="file"' in html and 'enctype="multipart/form-data"' in html


# The session, the user, their memberships (middleware), their second factor (MFA middleware), their national roles
# (sees_everything), then the versions with their audit counts and publishers.
LIST_QUERIES = 7


def test_the_list_costs_the_same_queries_for_one_and_several_versions(
    ditp_client, ditp, django_assert_num_queries
):
    with django_assert_num_queries(LIST_QUERIES):
        assert ditp_client.get(LIST_URL).status_code == 200
    other = UserFactory(ditp=True)
    for publisher in (ditp, other, ditp):
        grid_publish(user=publisher, kind="local", uploaded_file=_upload(local_doc()))
        grid_publish(user=publisher, kind="central", uploaded_file=_upload(central_doc()))
        AuditFactory()
    with django_assert_num_queries(LIST_QUERIES):
        response = ditp_client.get(LIST_URL)
    assert sum(len(section["versions"]) for section in response.context["kinds"]) == 8


def test_the_detail_lists_sections_and_checkpoints_for_an_auditor(login):
    client = login(UserFactory(auditor=True))
    grid = AuditGrid.objects.current("local")
    response = client.get(reverse("audits:grid_detail", args=[grid.pk]))
    assert response.status_code == 200
    assert [section.code for section in response.context["sections"]] == list(LOCAL_SECTIONS)
    html = response.content.decode()
    checkpoint = grid.checkpoints.get(code="1.1")
    assert checkpoint.requirement in html
    assert checkpoint.guidance in html
    assert "Engagement 1 — Un accueil respectueux et bienveillant" in html
    assert reverse("audits:grid_download", args=[grid.pk]) in html
    # The list of versions is the DITP's: no link to it.
    assert f'href="{LIST_URL}"' not in html


def test_an_older_version_is_not_badged_current(ditp_client, ditp):
    v1 = AuditGrid.objects.current("central")
    grid_publish(user=ditp, kind="central", uploaded_file=_upload(central_doc()))
    html = ditp_client.get(reverse("audits:grid_detail", args=[v1.pk])).content.decode()
    assert "Version en cours" not in html
    assert f'href="{LIST_URL}"' in html


@pytest.mark.parametrize("kind", ["local", "central"])
def test_the_download_round_trips(login, kind, ditp):
    client = login(UserFactory(cb_manager=True))
    grid = AuditGrid.objects.current(kind)

    response = client.get(reverse("audits:grid_download", args=[grid.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="grille-{kind}-v1.json"'
    assert parse_grid(response.content, kind=kind) == grid_as_parsed(grid)
    # The DITP publishes the downloaded file as is: the next version holds the same data.
    republished = grid_publish(user=ditp, kind=kind, uploaded_file=_upload(response.content))
    assert republished.version == 2
    assert grid_as_parsed(republished) == grid_as_parsed(grid)


@pytest.mark.parametrize("trait", ["candidate", "central", "auditor", "cb_manager", "commission"])
def test_other_roles_get_404_on_the_list_and_publish_nothing(login, trait):
    client = login(UserFactory(**{trait: True}))
    assert client.get(LIST_URL).status_code == 404
    assert _post(client, local_doc()).status_code == 404
    assert AuditGrid.objects.count() == 2


@pytest.mark.parametrize("trait", ["candidate", "central", "commission"])
def test_candidates_and_the_commission_cannot_read_a_grid(login, trait):
    client = login(UserFactory(**{trait: True}))
    grid = AuditGrid.objects.current("local")
    assert client.get(reverse("audits:grid_detail", args=[grid.pk])).status_code == 404
    assert client.get(reverse("audits:grid_download", args=[grid.pk])).status_code == 404


def test_a_revoked_auditor_cannot_read_a_grid(login):
    user = UserFactory(auditor=True)
    user.memberships.update(revoked_at=timezone.now())
    client = login(user)
    grid = AuditGrid.objects.current("local")
    assert client.get(reverse("audits:grid_detail", args=[grid.pk])).status_code == 404


def test_the_ditp_navigation_links_the_grids(ditp_client):
    html = ditp_client.get(reverse("accounts:dashboard")).content.decode()
    assert f'href="{LIST_URL}"' in html
