"""Import of survey answers from a CSV file: formats, every error with its line, all-or-nothing (issue #4)."""

import hashlib
import random
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from surveys import imports, selectors
from surveys.enums import Channel, SurveyKind
from surveys.imports import ImportRefused, import_csv
from surveys.models import AnswerImport, Response
from tests.accounts.factories import UserFactory
from tests.surveys.factories import CampaignFactory, answers_of

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
USER_CODES = [
    "U1a",
    "U1b",
    "U2a",
    "U2b",
    "U3a",
    "U3b",
    "U4a",
    "U4b",
    "U5a",
    "U5b",
    "U6",
    "U7a",
    "U7b",
    "U8",
    "U9",
]
AGENT_CODES = [f"A{n}" for n in range(1, 12)]


def _file(content, name="reponses.csv"):
    data = content if isinstance(content, bytes) else content.encode()
    return SimpleUploadedFile(name, data, content_type="text/csv")


def _fixture(name):
    return _file((FIXTURES / name).read_bytes(), name)


def _csv(rows, codes=USER_CODES, sep=";"):
    """A file from rows of cells (one list per row, in `codes` order)."""
    lines = [sep.join(codes)] + [sep.join(str(cell) for cell in row) for row in rows]
    return "\n".join(lines) + "\n"


def _import(campaign, file, user=None):
    return import_csv(campaign=campaign, uploaded_file=file, user=user or UserFactory())


def _refused(campaign, file):
    before = Response.objects.count(), AnswerImport.objects.count()
    with pytest.raises(ImportRefused) as refused:
        _import(campaign, file)
    assert (Response.objects.count(), AnswerImport.objects.count()) == before
    return refused.value.errors


def _positions(response):
    return answers_of(response)


@pytest.fixture
def campaign():
    return CampaignFactory(kind=SurveyKind.USERS)


def test_semicolon_file_with_bom_and_crlf(campaign):
    user = UserFactory()
    report = _import(campaign, _fixture("users_semicolon_bom_crlf.csv"), user)

    assert (report.imported, report.admissible) == (3, 3)
    responses = list(campaign.responses.order_by("pk"))
    assert [r.channel for r in responses] == [Channel.IMPORT] * 3
    assert {r.entered_by for r in responses} == {None}
    batch = AnswerImport.objects.get()
    assert {r.answer_import for r in responses} == {batch}
    assert (batch.campaign, batch.imported_by, batch.file_name, batch.imported, batch.admissible) == (
        campaign,
        user,
        "users_semicolon_bom_crlf.csv",
        3,
        3,
    )
    assert (
        batch.sha256 == hashlib.sha256((FIXTURES / "users_semicolon_bom_crlf.csv").read_bytes()).hexdigest()
    )
    assert all(r.complete and r.admissible and r.answered == 15 for r in responses)
    assert _positions(responses[0]) == dict.fromkeys(USER_CODES, 4)
    assert _positions(responses[2])["U9"] == 1
    assert {r.received_at for r in responses} == {batch.imported_at}


def test_comma_file_with_shuffled_columns_quotes_and_trailing_blank_lines(campaign):
    report = _import(campaign, _fixture("users_comma.csv"))

    assert (report.imported, report.admissible) == (2, 1)
    first, second = campaign.responses.order_by("pk")
    assert _positions(first) == dict.fromkeys(USER_CODES, 4)
    assert _positions(second) == dict.fromkeys(USER_CODES, 1)
    assert (second.complete, second.admissible) == (False, False)


def test_labels_instead_of_positions(campaign):
    labels = [
        "Pas du tout d’accord",
        "  plutôt PAS d'accord ",
        "Plutôt d'accord",  # straight apostrophe
        "TOUT À FAIT D’ACCORD",
    ]
    rows = [[labels[i % 4] for i in range(15)]]
    report = _import(campaign, _file(_csv(rows)))

    assert report.imported == 1
    positions = _positions(campaign.responses.get())
    assert [positions[code] for code in USER_CODES] == [i % 4 + 1 for i in range(15)]


def test_nsp_and_empty_cells_neutralise_the_question(campaign):
    # 8 of 15 answered (53 %): admissible; 7 of 15 (47 %): not admissible (§3.4).
    eight = [3] * 8 + ["NSP", "nsp", "", " ", "Nsp", "", ""]
    seven = [3] * 7 + ["NSP"] * 4 + [""] * 3 + ["Non concerné / ne se prononce pas"]
    report = _import(campaign, _file(_csv([eight, seven])))

    assert (report.imported, report.admissible) == (2, 1)
    first, second = campaign.responses.order_by("pk")
    assert (first.answered, first.admissible) == (8, True)
    assert (second.answered, second.admissible) == (7, False)
    assert _positions(first)["U5a"] is None
    assert first.positions == "3" * 8 + "0" * 7
    assert second.positions == "3" * 7 + "0" * 8


def test_complete_column(campaign):
    codes = ["complete", *USER_CODES]
    rows = [[value] + [4] * 15 for value in ("non", "Oui", "", "0", "Vrai", "FALSE", "yes", "no")]
    report = _import(campaign, _file(_csv(rows, codes=codes)))

    assert (report.imported, report.admissible) == (8, 4)
    stored = list(campaign.responses.order_by("pk").values_list("complete", "admissible"))
    expected = [False, True, True, False, True, False, True, False]
    assert stored == [(c, c) for c in expected]


def test_complete_column_bad_value(campaign):
    codes = ["complete", *USER_CODES]
    errors = _refused(campaign, _file(_csv([["oui"] + [4] * 15, ["peut-être"] + [4] * 15], codes=codes)))
    assert errors == ["Ligne 3 : valeur « peut-être » non reconnue dans la colonne complete (oui ou non)."]


def test_unknown_code_in_header(campaign):
    codes = [*USER_CODES[:-1], "U10"]
    errors = _refused(campaign, _file(_csv([[4] * 15], codes=codes)))
    assert errors == [
        "Ligne 1 : la colonne « U10 » n’est pas une question de ce questionnaire.",
        "Ligne 1 : la colonne de la question U9 manque.",
    ]


def test_missing_question_column(campaign):
    codes = [code for code in USER_CODES if code != "U3b"]
    errors = _refused(campaign, _file(_csv([[4] * 14], codes=codes)))
    assert errors == ["Ligne 1 : la colonne de la question U3b manque."]


def test_agent_codes_refused_on_a_user_campaign(campaign):
    errors = _refused(campaign, _file(_csv([[4] * 11], codes=AGENT_CODES)))
    assert "Ligne 1 : la colonne « A1 » n’est pas une question de ce questionnaire." in errors
    assert "Ligne 1 : la colonne de la question U1a manque." in errors


def test_every_bad_line_reported_and_nothing_imported(campaign):
    CampaignFactory()  # another campaign's answers are untouched
    rows = [[4] * 15 for _ in range(7)]
    rows[1][4] = 7  # line 3, U3a
    rows[5][14] = "peut-être"  # line 7, U9
    rows[5][0] = "0"  # line 7, U1a
    errors = _refused(campaign, _file(_csv(rows)))

    assert errors == [
        "Ligne 3 : valeur « 7 » hors de l’échelle pour la question U3a (1 à 4, libellé de la réponse, vide ou NSP).",
        "Ligne 7 : valeur « 0 » hors de l’échelle pour la question U1a (1 à 4, libellé de la réponse, vide ou NSP).",
        "Ligne 7 : valeur « peut-être » hors de l’échelle pour la question U9 (1 à 4, libellé de la réponse, vide ou NSP).",
    ]
    assert not campaign.responses.exists()


def test_line_numbers_follow_the_file_with_crlf_and_quoted_line_breaks(campaign):
    header = ";".join(USER_CODES)
    good = ";".join(["4"] * 15)
    multiline = ";".join(['"Plutôt\r\nd’accord"'] + ["4"] * 14)  # a quoted cell over lines 3–4
    bad = ";".join(["5"] + ["4"] * 14)
    content = "\r\n".join([header, good, multiline, bad]) + "\r\n"
    errors = _refused(campaign, _file(content))
    assert errors == [
        "Ligne 5 : valeur « 5 » hors de l’échelle pour la question U1a (1 à 4, libellé de la réponse, vide ou NSP)."
    ]


def test_wrong_number_of_cells_and_blank_line_inside_the_file(campaign):
    content = _csv([[4] * 15, [4] * 14, [], [4] * 16, [4] * 15])
    errors = _refused(campaign, _file(content))
    assert errors == [
        "Ligne 3 : 14 valeurs au lieu de 15.",
        "Ligne 4 : ligne vide (indiquez NSP pour un questionnaire sans réponse).",
        "Ligne 5 : 16 valeurs au lieu de 15.",
    ]


def test_errors_listed_up_to_one_hundred(campaign):
    rows = [[9] + [4] * 14 for _ in range(130)]
    errors = _refused(campaign, _file(_csv(rows)))
    assert len(errors) == 101
    assert errors[0].startswith("Ligne 2 : valeur « 9 »")
    assert errors[99].startswith("Ligne 101 : valeur « 9 »")
    assert errors[100] == "… et 30 autres erreurs."


def test_windows_1252_file(campaign):
    report = _import(campaign, _fixture("users_windows1252.csv"))

    assert (report.imported, report.admissible) == (2, 2)
    first, second = campaign.responses.order_by("pk")
    positions = _positions(first)
    assert [positions[code] for code in USER_CODES] == [4] * 8 + [3] * 6 + [None]
    assert _positions(second) == dict.fromkeys(USER_CODES, 2)


def test_closed_campaign_refuses_imports(campaign):
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["closed_at"])
    errors = _refused(campaign, _fixture("users_semicolon_bom_crlf.csv"))
    assert errors == ["La campagne est close : elle ne reçoit plus de réponses."]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Le fichier est vide."),
        (b"\r\n\r\n", "Le fichier est vide."),
        (
            ";".join(USER_CODES).encode() + b"\r\n\r\n",
            "Le fichier ne contient que l’en-tête : aucune ligne de réponses à importer.",
        ),
        (b"%PDF-1.4\x00\x01\x02", "Ce fichier n’est pas un fichier texte : enregistrez-le au format CSV."),
    ],
)
def test_empty_header_only_or_binary_file(campaign, content, message):
    assert _refused(campaign, _file(content)) == [message]


def test_file_over_the_size_limit(campaign, settings):
    content = _csv([[4] * 15 for _ in range(10)]).encode()
    settings.UPLOAD_MAX_BYTES = len(content) - 1
    [error] = _refused(campaign, _file(content))
    assert error.startswith("Le fichier dépasse la taille maximale de ")
    settings.UPLOAD_MAX_BYTES = len(content)
    assert _import(campaign, _file(content)).imported == 10


def test_too_many_rows(campaign, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    assert _import(campaign, _file(_csv([[4] * 15] * 3))).imported == 3
    errors = _refused(campaign, _file(_csv([[4] * 15] * 4)))
    assert errors == ["Le fichier dépasse 3 lignes de réponses : découpez-le en plusieurs fichiers."]


def test_imported_answers_scored_by_hand():
    campaign = CampaignFactory(kind=SurveyKind.USERS, population=40)
    codes = ["complete", *USER_CODES]
    rows = [
        # A: 4 (1 point) everywhere but U1b NSP.
        ["oui", 4, "NSP"] + [4] * 13,
        # B: « Plutôt pas d'accord » (0.25) everywhere.
        ["oui"] + ["Plutôt pas d'accord"] * 15,
        # C: 7 answers of 15 (47 %): not admissible, must not count.
        ["oui"] + [1] * 7 + [""] * 8,
        # D: every answer but not finished: not admissible.
        ["non"] + [1] * 15,
    ]
    report = _import(campaign, _file(_csv(rows, codes=codes, sep=",")))
    assert (report.imported, report.admissible) == (4, 2)

    results = selectors.campaign_results(campaign)
    assert (results.received, results.admissible) == (4, 2)
    # By hand: U1a = (1 + 0.25)/2 = 0.625; U1b = 0.25 (A is NSP) → commitment 1 = (62.5 + 25)/2 = 43.75.
    # Every other question = 0.625 → 62.5. Global = (43.75 + 8 × 62.5) / 9.
    assert results.scores.by_question["U1b"] == pytest.approx(25)
    assert results.scores.by_group["1"] == pytest.approx(43.75)
    assert results.scores.by_group["satisfaction"] == pytest.approx(62.5)
    assert results.scores.global_score == pytest.approx((43.75 + 8 * 62.5) / 9)


def test_ten_thousand_rows_in_one_call():
    campaign = CampaignFactory(kind=SurveyKind.AGENTS, population=20_000)
    rng = random.Random(4)
    choices = ["1", "2", "3", "4", "", "NSP"]
    rows = [[rng.choice(choices) for _ in AGENT_CODES] for _ in range(10_000)]
    expected_admissible = sum(
        2 * sum(1 for cell in row if cell not in ("", "NSP")) > len(AGENT_CODES) for row in rows
    )
    report = _import(campaign, _file(_csv(rows, codes=AGENT_CODES)))

    assert (report.imported, report.admissible) == (10_000, expected_admissible)
    assert campaign.responses.count() == 10_000
    assert campaign.responses.filter(admissible=True).count() == expected_admissible
    stored = campaign.responses.values_list("positions", flat=True)
    assert sum(positions.count("0") for positions in stored) == sum(
        cell in ("", "NSP") for row in rows for cell in row
    )


def _stored(campaign):
    return [
        (r.channel, r.complete, r.positions, r.answered, r.admissible, r.answer_import.imported_by_id)
        for r in campaign.responses.select_related("answer_import").order_by("pk")
    ]


@pytest.mark.parametrize(
    ("content", "first"),
    [
        (_csv([[4, "NSP", 3] + [2] * 12, ["NSP"] + [""] * 14, [1] * 15]), "403" + "2" * 12),
        (
            _csv(
                [
                    ["Plutôt d’accord", "nsp", "TOUT À FAIT D’ACCORD"] + [2] * 12,
                    ["Non concerné / ne se prononce pas"] * 15,
                ]
            ),
            "304" + "2" * 12,
        ),
    ],
    ids=["positions", "labels"],
)
def test_fast_reader_and_full_reader_store_the_same_rows(content, first, monkeypatch):
    """The fast reader streamed into COPY and the full reader give the same questionnaires."""
    assert (
        b"".join(imports._fast_blocks(content.encode(), USER_CODES)).split(b"\n")[0] == (first + "t").encode()
    )
    user = UserFactory()
    fast = CampaignFactory()
    import_csv(campaign=fast, uploaded_file=_file(content), user=user)

    def not_canonical(*args, **kwargs):
        raise imports._NotCanonical
        yield  # pragma: no cover -- makes this a generator, as the real reader

    monkeypatch.setattr(imports, "_fast_blocks", not_canonical)
    full = CampaignFactory()
    import_csv(campaign=full, uploaded_file=_file(content), user=user)

    assert _stored(fast) == _stored(full)
    assert _stored(fast)[0][2] == first


def test_copy_and_bulk_create_writers_store_the_same_rows(monkeypatch):
    """The PostgreSQL COPY writer (used by import_csv in the tests) and the bulk_create one (SQLite)."""
    content = _csv([[4, "NSP", 3] + [2] * 12, ["NSP"] + [""] * 14, [1] * 15])
    user = UserFactory()
    by_copy = CampaignFactory()
    import_csv(campaign=by_copy, uploaded_file=_file(content), user=user)

    monkeypatch.setattr(imports, "_write_copy", imports._write_bulk)
    by_bulk = CampaignFactory()
    import_csv(campaign=by_bulk, uploaded_file=_file(content), user=user)

    assert _stored(by_copy) == _stored(by_bulk)
    assert [row[2] for row in _stored(by_copy)] == ["403" + "2" * 12, "0" * 15, "1" * 15]


def test_every_text_the_fast_reader_knows_means_what_the_full_reader_makes_of_it():
    cells, complete = imports._fast_maps()
    full = imports._cell_values()
    for text, char in cells.items():
        assert full[imports._normalise(text)] == (int(char) or None), text
    for text, meaning in complete.items():
        normalised = imports._normalise(text)
        assert (imports.COMPLETE_VALUES[normalised] if normalised else True) is meaning, text


@pytest.mark.parametrize(
    "content",
    [
        '"U1a";' + ";".join(USER_CODES[1:]) + "\n" + ";".join(["4"] * 15) + "\n",  # quotes
        _csv([["  4"] + [4] * 14]),  # spaces around a position
        _csv([[4] * 15, [], [4] * 15]),  # an inner blank line: refused below, by the full reader
    ],
    ids=["quotes", "spaces", "blank-line"],
)
def test_what_the_fast_reader_does_not_know_goes_to_the_full_reader(content, campaign):
    with pytest.raises(imports._NotCanonical):
        for _block in imports._fast_blocks(content.encode(), USER_CODES):
            pass


def test_the_benchmark_file_goes_through_the_fast_reader(campaign):
    """Positions, typographic labels, NSP, empty cells and a `complete` column: all read by the fast reader."""
    rows = [["Plutôt d’accord", "NSP", "", 4, 1] + [2] * 10 + ["oui"], [""] * 15 + ["non"]] * 2000
    content = _csv(rows, codes=[*USER_CODES, "complete"]).encode()
    block = b"".join(imports._fast_blocks(content, USER_CODES))
    assert block.split(b"\n")[:2] == [b"300412222222222t", b"000000000000000f"]
    report = _import(campaign, _file(content))
    assert (report.imported, report.admissible) == (4000, 2000)
    assert (
        campaign.responses.filter(positions="300412222222222", complete=True, admissible=True).count() == 2000
    )


def test_a_label_the_fast_reader_did_not_expect_sends_the_file_to_the_full_reader(campaign):
    """The fast reader looks for labels in the first 16 kB of each piece: a label first met further down makes
    it give up, and the full reader stores it as well."""
    rows = [[4] * 15] * 3000 + [["Tout à fait d’accord"] * 15]
    content = _csv(rows).encode()
    with pytest.raises(imports._NotCanonical):
        b"".join(imports._fast_blocks(content, USER_CODES))
    report = _import(campaign, _file(content))
    assert report.imported == 3001
    assert set(campaign.responses.values_list("positions", flat=True)) == {"4" * 15}


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("NSPNSP", "NSPNSP"),
        ("4NSP", "4NSP"),
        ("Plutôt d’accordPlutôt d’accord", "Plutôt d’accordPlutôt d’accord"),
    ],
)
def test_two_answers_in_one_cell_are_refused(campaign, cell, reason):
    errors = _refused(campaign, _file(_csv([[cell] + [4] * 14])))
    assert errors == [
        f"Ligne 2 : valeur « {reason[:39] + '…' if len(reason) > 40 else reason} » hors de l’échelle pour la "
        "question U1a (1 à 4, libellé de la réponse, vide ou NSP)."
    ]


def test_a_complete_cell_holding_an_answer_is_refused(campaign):
    errors = _refused(campaign, _file(_csv([[4] * 15 + ["NSP"]], codes=[*USER_CODES, "complete"])))
    assert errors == ["Ligne 2 : valeur « NSP » non reconnue dans la colonne complete (oui ou non)."]
