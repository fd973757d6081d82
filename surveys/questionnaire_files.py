"""A questionnaire version described in a JSON file, as the DITP publishes it (issue #4; guide §3.4.1, §3.4.2).

The format is documented, with a complete example of each kind, in docs/questionnaire-format.md:

    {"kind": "users", "title": "…", "questions": [{"code": "U1a", "commitment": "1", "text": "…"}, …]}

(agent questions have no "commitment"). `parse_questionnaire` is pure: it takes the file's bytes and the kind the
DITP chose, and returns the questions in file order, or raises one ValidationError listing every problem found, in
French, each naming the question by its position in the file and its code. Storing is
surveys.services_questionnaires.questionnaire_publish's job.
"""

import re
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from labelsp.jsonfiles import load_json, unknown_keys
from surveys.enums import COMMITMENT_LABELS, SurveyKind

# A questionnaire file is small: 15 questions of at most 500 characters.
MAX_BYTES = 200 * 1024
# libmagic recognises most JSON files; small ones, and those starting with a BOM, read as plain text.
ALLOWED_TYPES = {"application/json": "json", "text/plain": "json"}
TITLE_MAX_LENGTH = 200  # Questionnaire.title
TEXT_MIN_LENGTH, TEXT_MAX_LENGTH = 5, 500
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,20}")
SATISFACTION = "satisfaction"
# The user survey (§3.4.1): two questions for commitments 1, 2, 3, 4, 5 and 7, one for 6 and 8, one of global
# satisfaction — 15 in all. The agent survey (§3.4.2): 11 questions, not grouped.
USER_QUESTIONS_PER_GROUP = {"1": 2, "2": 2, "3": 2, "4": 2, "5": 2, "6": 1, "7": 2, "8": 1, SATISFACTION: 1}
QUESTION_COUNT = {SurveyKind.USERS: sum(USER_QUESTIONS_PER_GROUP.values()), SurveyKind.AGENTS: 11}
TOP_LEVEL_KEYS = ("kind", "title", "questions")
QUESTION_KEYS = {SurveyKind.USERS: ("code", "commitment", "text"), SurveyKind.AGENTS: ("code", "text")}
# Beyond this, the DITP has the wrong file: listing hundreds of messages helps nobody.
MAX_LISTED_ERRORS = 30


@dataclass(frozen=True)
class ParsedQuestion:
    code: str
    group: str  # users: "1"…"8" or "satisfaction"; agents: ""
    text: str


@dataclass(frozen=True)
class ParsedQuestionnaire:
    kind: str
    title: str
    questions: list[ParsedQuestion]


def parse_questionnaire(data: bytes, *, kind: str) -> ParsedQuestionnaire:
    """The questionnaire of `kind` described by `data` (UTF-8 JSON, with or without BOM), or ValidationError."""
    kind = SurveyKind(kind)
    document = load_json(data)
    errors: list[str] = []
    if not isinstance(document, dict):
        raise ValidationError(
            [_("Le fichier doit contenir un objet JSON avec les clés « kind », « title » et « questions ».")]
        )
    errors += unknown_keys(document, TOP_LEVEL_KEYS, where=_("Le fichier"))
    errors += _check_kind(document.get("kind"), kind)
    title, title_errors = _check_title(document.get("title"))
    errors += title_errors
    raw_questions = document.get("questions")
    questions: list[ParsedQuestion] = []
    if raw_questions is None:
        errors.append(_("La clé « questions » est obligatoire : la liste des questions."))
    elif not isinstance(raw_questions, list):
        errors.append(_("« questions » doit être une liste de questions."))
    else:
        for index, raw in enumerate(raw_questions, start=1):
            question, question_errors = _check_question(raw, index=index, kind=kind)
            errors += question_errors
            if question is not None:
                questions.append(question)
        errors += _check_count(len(raw_questions), kind)
        errors += _check_unique_codes(questions)
        if kind == SurveyKind.USERS:
            errors += _check_groups(questions)
    if errors:
        if len(errors) > MAX_LISTED_ERRORS:
            hidden = len(errors) - MAX_LISTED_ERRORS
            more = _("… et %(count)s autre(s) erreur(s) non listée(s).") % {"count": hidden}
            errors = [*errors[:MAX_LISTED_ERRORS], more]
        raise ValidationError(errors)
    return ParsedQuestionnaire(kind=kind, title=title, questions=questions)


def _check_kind(value, kind: SurveyKind) -> list[str]:
    if value is None:
        return [
            _("La clé « kind » est obligatoire : « %(kind)s » pour ce questionnaire.") % {"kind": kind.value}
        ]
    if value != kind.value:
        return [
            _(
                "Le fichier décrit un questionnaire « %(found)s » alors que vous publiez une version de "
                "l’%(label)s (« kind » attendu : « %(kind)s »)."
            )
            % {"found": value, "label": kind.label.lower(), "kind": kind.value}
        ]
    return []


def _check_title(value) -> tuple[str, list[str]]:
    if value is None:
        return "", [_("La clé « title » est obligatoire : le titre de la version.")]
    if not isinstance(value, str) or not value.strip():
        return "", [_("« title » doit être un texte non vide.")]
    title = value.strip()
    if len(title) > TITLE_MAX_LENGTH:
        return "", [
            _("Le titre compte %(length)s caractères : %(max)s au plus.")
            % {"length": len(title), "max": TITLE_MAX_LENGTH}
        ]
    return title, []


def _check_question(raw, *, index: int, kind: SurveyKind) -> tuple[ParsedQuestion | None, list[str]]:
    if not isinstance(raw, dict):
        return None, [
            _("Question %(index)s : chaque question doit être un objet JSON (entre accolades).")
            % {"index": index}
        ]
    code = raw.get("code")
    label = _question_label(index, code)
    errors = unknown_keys({key: None for key in raw if key != "commitment"}, QUESTION_KEYS[kind], where=label)
    if kind == SurveyKind.AGENTS and "commitment" in raw:
        errors.append(
            _("%(question)s : les questions de l’enquête agents n’ont pas d’engagement (« commitment »).")
            % {"question": label}
        )
    if code is None:
        errors.append(_("%(question)s : la clé « code » est obligatoire.") % {"question": label})
    elif not isinstance(code, str) or not CODE_PATTERN.fullmatch(code):
        errors.append(
            _(
                "%(question)s : le code doit compter de 1 à 20 caractères parmi les lettres sans accent, "
                "les chiffres, « _ » et « - »."
            )
            % {"question": label}
        )
    text = raw.get("text")
    if text is None:
        errors.append(_("%(question)s : la clé « text » est obligatoire (l’intitulé).") % {"question": label})
    elif not isinstance(text, str):
        errors.append(_("%(question)s : l’intitulé (« text ») doit être un texte.") % {"question": label})
    else:
        text = " ".join(text.split())
        if not TEXT_MIN_LENGTH <= len(text) <= TEXT_MAX_LENGTH:
            errors.append(
                _(
                    "%(question)s : l’intitulé doit compter de %(min)s à %(max)s caractères (il en compte %(length)s)."
                )
                % {"question": label, "min": TEXT_MIN_LENGTH, "max": TEXT_MAX_LENGTH, "length": len(text)}
            )
    group = ""
    if kind == SurveyKind.USERS:
        group, group_errors = _check_commitment(raw.get("commitment"), label=label)
        errors += group_errors
    if errors:
        return None, errors
    return ParsedQuestion(code=code, group=group, text=text), []


def _check_commitment(value, *, label: str) -> tuple[str, list[str]]:
    if value is None:
        return "", [
            _("%(question)s : la clé « commitment » est obligatoire (engagement 1 à 8, ou « satisfaction »).")
            % {"question": label}
        ]
    # An integer 1–8 is accepted for "1"–"8" (a bool is not an integer here).
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or value not in USER_QUESTIONS_PER_GROUP:
        return "", [
            _("%(question)s : engagement « %(value)s » inconnu : « 1 » à « 8 », ou « satisfaction ».")
            % {"question": label, "value": value}
        ]
    return value, []


def _check_count(count: int, kind: SurveyKind) -> list[str]:
    expected = QUESTION_COUNT[kind]
    if count == expected:
        return []
    return [
        _("L’%(label)s compte exactement %(expected)s questions : le fichier en contient %(count)s.")
        % {"label": kind.label.lower(), "expected": expected, "count": count}
    ]


def _check_unique_codes(questions: list[ParsedQuestion]) -> list[str]:
    counts = Counter(question.code for question in questions)
    return [
        _("Le code « %(code)s » est utilisé par %(count)s questions : chaque code doit être unique.")
        % {"code": code, "count": count}
        for code, count in counts.items()
        if count > 1
    ]


def _check_groups(questions: list[ParsedQuestion]) -> list[str]:
    counts = Counter(question.group for question in questions)
    errors = []
    for group, expected in USER_QUESTIONS_PER_GROUP.items():
        if counts[group] != expected:
            errors.append(
                _("%(group)s : %(expected)s question(s) attendue(s), le fichier en contient %(count)s.")
                % {"group": COMMITMENT_LABELS[group], "expected": expected, "count": counts[group]}
            )
    return errors


def _question_label(index: int, code) -> str:
    if isinstance(code, str) and code:
        return _("Question %(index)s (%(code)s)") % {"index": index, "code": code[:20]}
    return _("Question %(index)s") % {"index": index}
