"""The DITP publishes questionnaire versions from a file (issue #4, « Questionnaires as versioned data »):
surveys/questionnaire_files.py, surveys/services_questionnaires.py, surveys/views/questionnaires.py."""

import copy
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys import services
from surveys.enums import Channel, SurveyKind
from surveys.models import Question, Questionnaire
from surveys.questionnaire_files import MAX_BYTES, parse_questionnaire
from surveys.services_questionnaires import questionnaire_publish
from tests.accounts.factories import UserFactory
from tests.candidates.factories import PDF_BYTES
from tests.surveys.factories import CampaignFactory, answers_of

pytestmark = pytest.mark.django_db

DOC = Path(settings.BASE_DIR) / "docs" / "questionnaire-format.md"
LIST_URL = reverse("surveys:questionnaire_list")


def _documented_examples() -> dict[str, dict]:
    """The complete examples of docs/questionnaire-format.md, by kind: the documentation must stay true."""
    blocks = re.findall(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    examples = {}
    for block in blocks:
        document = json.loads(block)
        examples[document["kind"]] = document
    return examples


EXAMPLES = _documented_examples()


def users_doc() -> dict:
    return copy.deepcopy(EXAMPLES["users"])


def agents_doc() -> dict:
    return copy.deepcopy(EXAMPLES["agents"])


def _upload(document, name="questionnaire.json") -> SimpleUploadedFile:
    data = document if isinstance(document, bytes) else json.dumps(document, ensure_ascii=False).encode()
    return SimpleUploadedFile(name, data, content_type="application/json")


@pytest.fixture
def ditp():
    return UserFactory(ditp=True)


@pytest.fixture
def ditp_client(login, ditp):
    return login(ditp)


def _post(client, document, kind="users"):
    return client.post(LIST_URL, {"kind": kind, "file": _upload(document)})


def _file_errors(response) -> str:
    """The text of the error paragraph next to the file field."""
    html = response.content.decode()
    match = re.search(r'<p class="fr-error-text" id="id_file-error">(.*?)</p>', html, flags=re.S)
    assert match, "no error next to the file field"
    assert 'aria-describedby="id_file-error"' in html
    assert "fr-upload-group--error" in html
    return match.group(1)


def _assert_refused(client, document, message, kind="users"):
    """The file is refused with `message` next to the file field, and nothing is created."""
    versions, questions = Questionnaire.objects.count(), Question.objects.count()
    response = _post(client, document, kind=kind)
    assert response.status_code == 200
    assert message in _file_errors(response)
    assert (Questionnaire.objects.count(), Question.objects.count()) == (versions, questions)
    assert Questionnaire.objects.current(kind).number == 1
    return response


# --- Publishing --------------------------------------------------------------------------------------------------


def test_the_documented_users_file_publishes_version_2_which_becomes_current(ditp_client, ditp):
    response = _post(ditp_client, users_doc())

    questionnaire = Questionnaire.objects.get(kind=SurveyKind.USERS, number=2)
    assert response.status_code == 302
    assert response.url == reverse("surveys:questionnaire_detail", args=[questionnaire.pk])
    assert Questionnaire.objects.current(SurveyKind.USERS) == questionnaire
    assert questionnaire.title == "Enquête usagers — version 2026"
    assert questionnaire.published_by == ditp
    assert questionnaire.published_at is not None
    rows = list(questionnaire.questions.order_by("position").values_list("position", "code", "group"))
    assert rows == [
        (position, question["code"], question["commitment"])
        for position, question in enumerate(users_doc()["questions"], start=1)
    ]
    # The other kind is untouched.
    assert Questionnaire.objects.current(SurveyKind.AGENTS).number == 1
    page = ditp_client.get(response.url).content.decode()
    assert "Version 2 de l’enquête usagers publiée" in page


def test_the_documented_agents_file_publishes_version_2_which_becomes_current(ditp_client):
    response = _post(ditp_client, agents_doc(), kind="agents")

    assert response.status_code == 302
    questionnaire = Questionnaire.objects.current(SurveyKind.AGENTS)
    assert questionnaire.number == 2
    rows = list(questionnaire.questions.order_by("position").values_list("code", "group", "text"))
    assert rows == [(question["code"], "", question["text"]) for question in agents_doc()["questions"]]
    assert Questionnaire.objects.current(SurveyKind.USERS).number == 1


def test_versions_are_numbered_one_after_the_other(ditp):
    first = questionnaire_publish(user=ditp, kind="agents", uploaded_file=_upload(agents_doc()))
    second = questionnaire_publish(user=ditp, kind="agents", uploaded_file=_upload(agents_doc()))
    assert (first.number, second.number) == (2, 3)
    assert Questionnaire.objects.current("agents") == second


def test_a_campaign_keeps_the_version_it_started_with(ditp):
    running = CampaignFactory(kind=SurveyKind.USERS)
    assert running.questionnaire.number == 1

    questionnaire_publish(user=ditp, kind="users", uploaded_file=_upload(users_doc()))

    running.refresh_from_db()
    assert running.questionnaire.number == 1
    assert running.questionnaire.questions.count() == 15
    # It still records answers on its own questions: the codes are shared by both versions, the rows are v1's.
    v1_codes = list(running.questionnaire.questions.values_list("code", flat=True))
    response = services.response_record(
        campaign=running, positions=dict.fromkeys(v1_codes, 4), channel=Channel.PUBLIC_LINK
    )
    assert answers_of(response) == dict.fromkeys(v1_codes, 4)
    # A campaign opened afterwards uses the new version.
    assert CampaignFactory(kind=SurveyKind.USERS).questionnaire.number == 2


def test_a_byte_order_mark_and_integer_commitments_are_accepted(ditp_client):
    document = users_doc()
    for question in document["questions"]:
        if question["commitment"] != "satisfaction":
            question["commitment"] = int(question["commitment"])
    data = "\ufeff".encode() + json.dumps(document, ensure_ascii=False).encode()
    response = _post(ditp_client, data)
    assert response.status_code == 302
    assert list(Questionnaire.objects.current("users").questions.values_list("group", flat=True)) == [
        "1", "1", "2", "2", "3", "3", "4", "4", "5", "5", "6", "7", "7", "8", "satisfaction"
    ]  # fmt: skip


def test_a_file_of_exactly_200_kb_is_accepted(ditp_client):
    data = json.dumps(agents_doc(), ensure_ascii=False).encode()
    data += b" " * (MAX_BYTES - len(data))
    assert len(data) == 200 * 1024
    assert _post(ditp_client, data, kind="agents").status_code == 302


# --- Every validation error: nothing created --------------------------------------------------------------------


def test_a_file_over_200_kb_is_refused(ditp_client):
    data = json.dumps(agents_doc(), ensure_ascii=False).encode()
    data += b" " * (MAX_BYTES + 1 - len(data))
    _assert_refused(
        ditp_client, data, "Le fichier dépasse la taille maximale de 200,0\xa0Kio.", kind="agents"
    )


def test_invalid_json_is_refused_with_its_line_and_column(ditp_client):
    data = b'{\n  "kind": "users",\n  "title": "Enqu\xc3\xaate"\n  "questions": []\n}'
    _assert_refused(ditp_client, data, "Le fichier n’est pas un JSON valide : erreur ligne 4, colonne 3")


def test_a_file_not_in_utf8_is_refused(ditp_client):
    data = json.dumps(users_doc(), ensure_ascii=False).encode("latin-1", errors="replace")
    _assert_refused(ditp_client, data, "Le fichier n’est pas encodé en UTF-8")


def test_a_file_that_is_not_text_is_refused_by_its_content(ditp_client):
    _assert_refused(ditp_client, PDF_BYTES, "Le fichier doit être un fichier texte JSON encodé en UTF-8")


def test_an_empty_file_is_refused(ditp_client):
    response = ditp_client.post(LIST_URL, {"kind": "users", "file": SimpleUploadedFile("q.json", b"")})
    assert response.status_code == 200
    assert "Le fichier soumis est vide." in _file_errors(response)
    assert Questionnaire.objects.count() == 2


def test_a_json_list_instead_of_an_object_is_refused(ditp_client):
    _assert_refused(ditp_client, [users_doc()], "Le fichier doit contenir un objet JSON avec les clés")


def test_the_kind_must_match_the_one_chosen(ditp_client):
    _assert_refused(
        ditp_client,
        agents_doc(),
        "Le fichier décrit un questionnaire « agents » alors que vous publiez une version de l’enquête usagers",
    )


def test_the_kind_is_required(ditp_client):
    document = users_doc()
    del document["kind"]
    _assert_refused(
        ditp_client, document, "La clé « kind » est obligatoire : « users » pour ce questionnaire."
    )


def test_the_title_is_required(ditp_client):
    document = users_doc()
    document["title"] = "   "
    _assert_refused(ditp_client, document, "« title » doit être un texte non vide.")


def test_the_user_survey_has_exactly_15_questions(ditp_client):
    document = users_doc()
    document["questions"].pop(3)  # U2b
    response = _assert_refused(
        ditp_client, document, "L’enquête usagers compte exactement 15 questions : le fichier en contient 14."
    )
    assert (
        "Engagement 2 — Un service facile à contacter : 2 question(s) attendue(s), le fichier en contient 1."
        in _file_errors(response)
    )


def test_the_user_survey_has_two_questions_for_commitment_3_and_one_for_6(ditp_client):
    document = users_doc()
    document["questions"][5]["commitment"] = "6"  # U3b now measures commitment 6: still 15 questions
    response = _assert_refused(
        ditp_client,
        document,
        "Engagement 3 — Un accompagnement adapté à la situation personnelle : 2 question(s) attendue(s), "
        "le fichier en contient 1.",
    )
    errors = _file_errors(response)
    assert (
        "Engagement 6 — L’accès aux résultats de qualité du service : 1 question(s) attendue(s), " in errors
    )
    assert "compte exactement" not in errors


def test_the_user_survey_has_one_question_of_satisfaction(ditp_client):
    document = users_doc()
    document["questions"][14]["commitment"] = "8"
    response = _assert_refused(
        ditp_client, document, "Satisfaction globale : 1 question(s) attendue(s), le fichier en contient 0."
    )
    assert "Engagement 8" in _file_errors(response)


def test_a_user_question_needs_a_known_commitment(ditp_client):
    document = users_doc()
    document["questions"][0]["commitment"] = "9"
    _assert_refused(
        ditp_client,
        document,
        "Question 1 (U1a) : engagement « 9 » inconnu : « 1 » à « 8 », ou « satisfaction ».",
    )


def test_a_user_question_without_commitment_is_refused(ditp_client):
    document = users_doc()
    del document["questions"][4]["commitment"]
    _assert_refused(ditp_client, document, "Question 5 (U3a) : la clé « commitment » est obligatoire")


def test_the_agent_survey_has_exactly_11_questions(ditp_client):
    document = agents_doc()
    document["questions"].append({"code": "A12", "text": "Une question de trop dans ce fichier."})
    _assert_refused(
        ditp_client,
        document,
        "L’enquête agents compte exactement 11 questions : le fichier en contient 12.",
        kind="agents",
    )


def test_agent_questions_have_no_commitment(ditp_client):
    document = agents_doc()
    document["questions"][1]["commitment"] = "2"
    _assert_refused(
        ditp_client,
        document,
        "Question 2 (A2) : les questions de l’enquête agents n’ont pas d’engagement (« commitment »).",
        kind="agents",
    )


def test_codes_are_unique(ditp_client):
    document = users_doc()
    document["questions"][1]["code"] = "U1a"
    _assert_refused(
        ditp_client, document, "Le code « U1a » est utilisé par 2 questions : chaque code doit être unique."
    )


def test_a_code_has_only_letters_digits_underscore_and_hyphen(ditp_client):
    document = users_doc()
    document["questions"][4]["code"] = "U 3a"
    _assert_refused(
        ditp_client,
        document,
        "Question 5 (U 3a) : le code doit compter de 1 à 20 caractères parmi les lettres sans accent, "
        "les chiffres, « _ » et « - ».",
    )


def test_a_code_has_at_most_20_characters(ditp_client):
    document = agents_doc()
    document["questions"][0]["code"] = "A" * 21
    _assert_refused(
        ditp_client, document, "Question 1 (AAAAAAAAAAAAAAAAAAAA) : le code doit compter", kind="agents"
    )


def test_a_question_without_code_is_refused(ditp_client):
    document = agents_doc()
    del document["questions"][2]["code"]
    _assert_refused(ditp_client, document, "Question 3 : la clé « code » est obligatoire.", kind="agents")


def test_a_text_of_4_characters_is_refused(ditp_client):
    document = users_doc()
    document["questions"][2]["text"] = "Joli"
    _assert_refused(
        ditp_client,
        document,
        "Question 3 (U2a) : l’intitulé doit compter de 5 à 500 caractères (il en compte 4).",
    )


def test_a_text_of_501_characters_is_refused(ditp_client):
    document = agents_doc()
    document["questions"][10]["text"] = "x" * 501
    _assert_refused(
        ditp_client,
        document,
        "Question 11 (A11) : l’intitulé doit compter de 5 à 500 caractères (il en compte 501).",
        kind="agents",
    )


def test_an_unknown_key_is_refused(ditp_client):
    document = users_doc()
    document["questions"][0]["commitement"] = "1"
    _assert_refused(ditp_client, document, "Question 1 (U1a) contient une clé inconnue : « commitement »")


def test_every_problem_is_listed_at_once(ditp_client):
    document = users_doc()
    document["title"] = ""
    document["questions"][0]["text"] = "Non"
    document["questions"][1]["code"] = "é"
    errors = _file_errors(_post(ditp_client, document))
    assert "« title » doit être un texte non vide." in errors
    assert "Question 1 (U1a) : l’intitulé" in errors
    assert "Question 2 (é) : le code" in errors


def test_the_kind_is_required_in_the_form(ditp_client):
    response = ditp_client.post(LIST_URL, {"file": _upload(users_doc())})
    assert response.status_code == 200
    assert "Choisissez l’enquête usagers ou l’enquête agents." in response.content.decode()
    assert Questionnaire.objects.count() == 2


# --- The pure parser at its boundaries --------------------------------------------------------------------------


@pytest.mark.parametrize(("length", "valid"), [(4, False), (5, True), (500, True), (501, False)])
def test_text_length_boundaries(length, valid):
    document = agents_doc()
    document["questions"][0]["text"] = "x" * length
    data = json.dumps(document).encode()
    if valid:
        assert parse_questionnaire(data, kind="agents").questions[0].text == "x" * length
    else:
        with pytest.raises(ValidationError):
            parse_questionnaire(data, kind="agents")


@pytest.mark.parametrize(
    ("code", "valid"), [("A" * 20, True), ("A" * 21, False), ("a_B-9", True), ("", False)]
)
def test_code_boundaries(code, valid):
    document = agents_doc()
    document["questions"][0]["code"] = code
    data = json.dumps(document).encode()
    if valid:
        assert parse_questionnaire(data, kind="agents").questions[0].code == code
    else:
        with pytest.raises(ValidationError):
            parse_questionnaire(data, kind="agents")


def test_the_errors_listed_are_capped():
    document = agents_doc()
    document["questions"] = [{"code": "!", "text": "x"} for _ in range(40)]
    with pytest.raises(ValidationError) as refusal:
        parse_questionnaire(json.dumps(document).encode(), kind="agents")
    assert len(refusal.value.messages) == 31
    assert refusal.value.messages[-1].startswith("… et ")


# --- Pages and permissions --------------------------------------------------------------------------------------


def test_the_list_shows_both_kinds_with_the_campaigns_using_each_version(ditp_client, ditp):
    CampaignFactory.create_batch(2, kind=SurveyKind.USERS)
    CampaignFactory(kind=SurveyKind.AGENTS)
    questionnaire_publish(user=ditp, kind="users", uploaded_file=_upload(users_doc()))
    CampaignFactory(kind=SurveyKind.USERS)

    response = ditp_client.get(LIST_URL)

    assert response.status_code == 200
    rows = {
        (section["kind"], version.number): version.campaign_count
        for section in response.context["sections"]
        for version in section["versions"]
    }
    assert rows == {("users", 2): 1, ("users", 1): 2, ("agents", 1): 1}
    html = response.content.decode()
    assert "Enquête usagers — version 2026" in html
    assert 'name="file"' in html and 'enctype="multipart/form-data"' in html


def test_the_list_costs_the_same_queries_for_few_and_many_versions(ditp_client, ditp):
    ditp_client.get(LIST_URL)
    with CaptureQueriesContext(connection) as few:
        ditp_client.get(LIST_URL)
    for _ in range(3):
        questionnaire_publish(user=ditp, kind="agents", uploaded_file=_upload(agents_doc()))
        CampaignFactory(kind=SurveyKind.AGENTS)
    with CaptureQueriesContext(connection) as many:
        ditp_client.get(LIST_URL)
    assert len(many) == len(few)


def test_the_detail_lists_the_questions_in_order_with_their_commitment(ditp_client):
    questionnaire = Questionnaire.objects.current("users")
    response = ditp_client.get(reverse("surveys:questionnaire_detail", args=[questionnaire.pk]))
    assert response.status_code == 200
    assert [row["question"].code for row in response.context["questions"]][:3] == ["U1a", "U1b", "U2a"]
    html = response.content.decode()
    assert "Engagement 1 — Un accueil respectueux et bienveillant" in html
    assert "Satisfaction globale" in html
    assert "Version en cours" in html


def test_the_detail_of_an_agent_version_has_no_commitment_column(ditp_client):
    questionnaire = Questionnaire.objects.current("agents")
    html = ditp_client.get(reverse("surveys:questionnaire_detail", args=[questionnaire.pk])).content.decode()
    assert "A11" in html
    assert ">Engagement<" not in html


@pytest.mark.parametrize("trait", ["candidate", "central", "auditor", "cb_manager", "commission"])
def test_other_roles_get_404_and_publish_nothing(login, trait):
    client = login(UserFactory(**{trait: True}))
    questionnaire = Questionnaire.objects.current("users")
    assert client.get(LIST_URL).status_code == 404
    assert client.get(reverse("surveys:questionnaire_detail", args=[questionnaire.pk])).status_code == 404
    assert _post(client, users_doc()).status_code == 404
    assert Questionnaire.objects.count() == 2


def test_the_service_refuses_anyone_but_the_ditp():
    with pytest.raises(PermissionDenied):
        questionnaire_publish(
            user=UserFactory(central=True), kind="users", uploaded_file=_upload(users_doc())
        )
    assert Questionnaire.objects.count() == 2


def test_the_ditp_navigation_links_the_questionnaires(ditp_client):
    html = ditp_client.get(reverse("accounts:dashboard")).content.decode()
    assert f'href="{LIST_URL}"' in html
