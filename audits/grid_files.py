"""An audit grid version described in a JSON file, as the DITP publishes it (guide §3.7; DOMAIN « Audit grading »:
the grid is data, versioned, loaded from a file a DITP administrator can replace).

The format is documented, with a complete example, in docs/grid-format.md:

    {"kind": "local", "title": "…", "sections": [{"code": "1", "title": "…",
        "checkpoints": [{"code": "1.1", "requirement": "…", "guidance": "…"}, …]}, …]}

`parse_grid` is pure: it takes the file's bytes and the kind the DITP chose, and returns the sections and their
checkpoints in file order, or raises one ValidationError listing every problem found, in French, each naming the
section or checkpoint by its position in the file and its code. `dump_grid` writes a parsed grid back in the same
format (the download of a stored version). Storing is audits.services_grids.grid_publish's job.
"""

import json
import re
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from audits.enums import LOCAL_SECTIONS, OR_SECTION, GridKind
from labelsp.jsonfiles import load_json, unknown_keys

# 300 checkpoints of at most 2,000 characters are about 700 KB of French text; real grids weigh a few KB.
MAX_BYTES = 1024 * 1024
# libmagic recognises most JSON files; small ones, and those starting with a BOM, read as plain text.
ALLOWED_TYPES = {"application/json": "json", "text/plain": "json"}
TITLE_MAX_LENGTH = 200  # AuditGrid.title
SECTION_TITLE_MAX_LENGTH = 300  # GridSection.title
REQUIREMENT_MIN_LENGTH, REQUIREMENT_MAX_LENGTH = 5, 1000
GUIDANCE_MAX_LENGTH = 1000
CODE_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,20}")  # GridSection.code and Checkpoint.code: 20 characters
MAX_CHECKPOINTS = 300
CENTRAL_MAX_SECTIONS = 20
TOP_LEVEL_KEYS = ("kind", "title", "sections")
SECTION_KEYS = ("code", "title", "checkpoints")
CHECKPOINT_KEYS = ("code", "requirement", "guidance")
# Beyond this, the DITP has the wrong file: listing hundreds of messages helps nobody.
MAX_LISTED_ERRORS = 30


@dataclass(frozen=True)
class ParsedCheckpoint:
    code: str
    requirement: str
    guidance: str  # "" when the file gives none


@dataclass(frozen=True)
class ParsedSection:
    code: str
    title: str
    checkpoints: tuple[ParsedCheckpoint, ...]


@dataclass(frozen=True)
class ParsedGrid:
    kind: str
    title: str
    sections: tuple[ParsedSection, ...]

    @property
    def checkpoint_count(self) -> int:
        return sum(len(section.checkpoints) for section in self.sections)


def parse_grid(data: bytes, *, kind: str) -> ParsedGrid:
    """The grid of `kind` described by `data` (UTF-8 JSON, with or without BOM), or ValidationError.

    The local grid has the sections "1" to "8" (the 8 commitments) then "or" (the « Or » criteria, annex 2), in that
    order; the central grid has 1 to 20 sections of its own. Every section has at least one checkpoint; checkpoint
    codes are unique in the whole grid, which has at most 300 of them.
    """
    kind = GridKind(kind)
    document = load_json(data)
    if not isinstance(document, dict):
        raise ValidationError(
            [_("Le fichier doit contenir un objet JSON avec les clés « kind », « title » et « sections ».")]
        )
    kind_errors = _check_kind(document.get("kind"), kind)
    if kind_errors and document.get("kind") in GridKind.values:
        # The other kind's file: its sections would only add noise to the one message that matters.
        raise ValidationError(kind_errors)
    errors: list[str] = []
    errors += unknown_keys(document, TOP_LEVEL_KEYS, where=_("Le fichier"))
    errors += kind_errors
    title, title_errors = _check_title(
        document.get("title"),
        label=_("Le titre de la grille"),
        missing=_("La clé « title » est obligatoire : le titre de la version."),
        max_length=TITLE_MAX_LENGTH,
    )
    errors += title_errors
    raw_sections = document.get("sections")
    sections: list[ParsedSection] = []
    if raw_sections is None:
        errors.append(_("La clé « sections » est obligatoire : la liste des parties de la grille."))
    elif not isinstance(raw_sections, list):
        errors.append(_("« sections » doit être une liste de parties."))
    else:
        codes: list[str] = []  # every checkpoint code read, valid or not, for the uniqueness check
        checkpoint_count = 0
        for index, raw in enumerate(raw_sections, start=1):
            section, section_errors, section_codes, count = _check_section(raw, index=index)
            errors += section_errors
            codes += section_codes
            checkpoint_count += count
            if section is not None:
                sections.append(section)
        section_codes = [_section_code(raw) for raw in raw_sections if isinstance(raw, dict)]
        errors += _check_unique(
            [code for code in section_codes if code],
            _(
                "Le code de partie « %(code)s » est utilisé par %(count)s parties : chaque code doit être unique."
            ),
        )
        if kind == GridKind.LOCAL:
            errors += _check_local_sections(section_codes)
        elif not 1 <= len(raw_sections) <= CENTRAL_MAX_SECTIONS:
            errors.append(
                _("La grille centrale compte de 1 à %(max)s parties : le fichier en contient %(count)s.")
                % {"max": CENTRAL_MAX_SECTIONS, "count": len(raw_sections)}
            )
        errors += _check_unique(
            codes,
            _(
                "Le code « %(code)s » est utilisé par %(count)s points de contrôle : chaque code doit être unique "
                "dans la grille."
            ),
        )
        if checkpoint_count > MAX_CHECKPOINTS:
            errors.append(
                _("La grille compte %(count)s points de contrôle : %(max)s au plus.")
                % {"count": checkpoint_count, "max": MAX_CHECKPOINTS}
            )
    if errors:
        if len(errors) > MAX_LISTED_ERRORS:
            hidden = len(errors) - MAX_LISTED_ERRORS
            more = _("… et %(count)s autre(s) erreur(s) non listée(s).") % {"count": hidden}
            errors = [*errors[:MAX_LISTED_ERRORS], more]
        raise ValidationError(errors)
    return ParsedGrid(kind=kind.value, title=title, sections=tuple(sections))


def dump_grid(grid: ParsedGrid) -> bytes:
    """`grid` as a file of the documented format (UTF-8, no BOM): parse_grid(dump_grid(grid)) == grid."""
    document = {
        "kind": grid.kind,
        "title": grid.title,
        "sections": [
            {
                "code": section.code,
                "title": section.title,
                "checkpoints": [
                    {"code": checkpoint.code, "requirement": checkpoint.requirement}
                    | ({"guidance": checkpoint.guidance} if checkpoint.guidance else {})
                    for checkpoint in section.checkpoints
                ],
            }
            for section in grid.sections
        ],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _check_kind(value, kind: GridKind) -> list[str]:
    if value is None:
        return [_("La clé « kind » est obligatoire : « %(kind)s » pour cette grille.") % {"kind": kind.value}]
    if value != kind.value:
        return [
            _(
                "Le fichier décrit une grille « %(found)s » alors que vous publiez une version de la "
                "%(label)s (« kind » attendu : « %(kind)s »)."
            )
            % {"found": value, "label": kind.label.lower(), "kind": kind.value}
        ]
    return []


def _check_title(value, *, label: str, missing: str, max_length: int) -> tuple[str, list[str]]:
    """A non-empty single-line text; runs of spaces and line breaks are reduced to one space."""
    if value is None:
        return "", [missing]
    if not isinstance(value, str) or not value.strip():
        return "", [_("%(where)s (« title ») doit être un texte non vide.") % {"where": label}]
    title = " ".join(value.split())
    if len(title) > max_length:
        return "", [
            _("%(where)s compte %(length)s caractères : %(max)s au plus.")
            % {"where": label, "length": len(title), "max": max_length}
        ]
    return title, []


def _section_code(raw: dict) -> str:
    """The section's code as text ("" when missing or unusable): the integer 1 stands for "1"."""
    code = raw.get("code")
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)
    return code if isinstance(code, str) and CODE_PATTERN.fullmatch(code) else ""


def _check_section(raw, *, index: int) -> tuple[ParsedSection | None, list[str], list[str], int]:
    """The section, its errors, the checkpoint codes it uses and its number of checkpoints."""
    if not isinstance(raw, dict):
        return (
            None,
            [
                _("Partie %(index)s : chaque partie doit être un objet JSON (entre accolades).")
                % {"index": index}
            ],
            [],
            0,
        )
    code = _section_code(raw)
    label = _section_label(index, raw.get("code"))
    errors = unknown_keys(raw, SECTION_KEYS, where=label)
    if raw.get("code") is None:
        errors.append(_("%(section)s : la clé « code » est obligatoire.") % {"section": label})
    elif not code:
        errors.append(
            _(
                "%(section)s : le code doit compter de 1 à 20 caractères parmi les lettres sans accent, les "
                "chiffres, « . », « _ » et « - »."
            )
            % {"section": label}
        )
    title, title_errors = _check_title(
        raw.get("title"),
        label=_("%(section)s : l’intitulé") % {"section": label},
        missing=_("%(section)s : la clé « title » est obligatoire (l’intitulé de la partie).")
        % {"section": label},
        max_length=SECTION_TITLE_MAX_LENGTH,
    )
    errors += title_errors
    raw_checkpoints = raw.get("checkpoints")
    checkpoints: list[ParsedCheckpoint] = []
    codes: list[str] = []
    count = 0
    if raw_checkpoints is None:
        errors.append(
            _("%(section)s : la clé « checkpoints » est obligatoire (la liste des points de contrôle).")
            % {"section": label}
        )
    elif not isinstance(raw_checkpoints, list):
        errors.append(_("%(section)s : « checkpoints » doit être une liste.") % {"section": label})
    elif not raw_checkpoints:
        errors.append(
            _("%(section)s : la partie doit compter au moins un point de contrôle.") % {"section": label}
        )
    else:
        count = len(raw_checkpoints)
        for position, raw_checkpoint in enumerate(raw_checkpoints, start=1):
            checkpoint, checkpoint_errors = _check_checkpoint(raw_checkpoint, section=label, index=position)
            errors += checkpoint_errors
            if isinstance(raw_checkpoint, dict) and isinstance(raw_checkpoint.get("code"), str):
                codes.append(raw_checkpoint["code"])
            if checkpoint is not None:
                checkpoints.append(checkpoint)
    if errors:
        return None, errors, codes, count
    return ParsedSection(code=code, title=title, checkpoints=tuple(checkpoints)), [], codes, count


def _check_checkpoint(raw, *, section: str, index: int) -> tuple[ParsedCheckpoint | None, list[str]]:
    if not isinstance(raw, dict):
        return None, [
            _(
                "%(section)s, point de contrôle %(index)s : chaque point doit être un objet JSON (entre accolades)."
            )
            % {"section": section, "index": index}
        ]
    code = raw.get("code")
    label = _checkpoint_label(section, index, code)
    errors = unknown_keys(raw, CHECKPOINT_KEYS, where=label)
    if code is None:
        errors.append(_("%(checkpoint)s : la clé « code » est obligatoire.") % {"checkpoint": label})
    elif not isinstance(code, str) or not CODE_PATTERN.fullmatch(code):
        errors.append(
            _(
                "%(checkpoint)s : le code doit compter de 1 à 20 caractères parmi les lettres sans accent, les "
                "chiffres, « . », « _ » et « - »."
            )
            % {"checkpoint": label}
        )
    requirement = raw.get("requirement")
    if requirement is None:
        errors.append(
            _("%(checkpoint)s : la clé « requirement » est obligatoire (l’exigence).") % {"checkpoint": label}
        )
    elif not isinstance(requirement, str):
        errors.append(
            _("%(checkpoint)s : l’exigence (« requirement ») doit être un texte.") % {"checkpoint": label}
        )
    else:
        requirement = " ".join(requirement.split())
        if not REQUIREMENT_MIN_LENGTH <= len(requirement) <= REQUIREMENT_MAX_LENGTH:
            errors.append(
                _(
                    "%(checkpoint)s : l’exigence doit compter de %(min)s à %(max)s caractères "
                    "(elle en compte %(length)s)."
                )
                % {
                    "checkpoint": label,
                    "min": REQUIREMENT_MIN_LENGTH,
                    "max": REQUIREMENT_MAX_LENGTH,
                    "length": len(requirement),
                }
            )
    guidance = raw.get("guidance", "")
    if guidance is None:
        guidance = ""
    if not isinstance(guidance, str):
        errors.append(
            _("%(checkpoint)s : les éléments de preuve (« guidance ») doivent être un texte.")
            % {"checkpoint": label}
        )
    else:
        guidance = " ".join(guidance.split())
        if len(guidance) > GUIDANCE_MAX_LENGTH:
            errors.append(
                _("%(checkpoint)s : les éléments de preuve comptent %(length)s caractères : %(max)s au plus.")
                % {"checkpoint": label, "length": len(guidance), "max": GUIDANCE_MAX_LENGTH}
            )
    if errors:
        return None, errors
    return ParsedCheckpoint(code=code, requirement=requirement, guidance=guidance), []


def _check_unique(codes: list[str], message: str) -> list[str]:
    return [message % {"code": code, "count": count} for code, count in Counter(codes).items() if count > 1]


def _check_local_sections(codes: list[str]) -> list[str]:
    """The local grid: one section per commitment, "1" to "8", then the « Or » criteria, in that order."""
    expected = ", ".join(f"« {code} »" for code in LOCAL_SECTIONS)
    errors = [
        _(
            "Partie %(index)s (%(code)s) : partie inconnue de la grille locale, dont les parties sont %(expected)s."
        )
        % {"index": index, "code": code, "expected": expected}
        for index, code in enumerate(codes, start=1)
        if code and code not in LOCAL_SECTIONS
    ]
    present = set(codes)
    for code in LOCAL_SECTIONS:
        if code not in present:
            what = (
                _("les critères « Or »")
                if code == OR_SECTION
                else _("l’engagement %(number)s") % {"number": code}
            )
            errors.append(
                _(
                    "La partie « %(code)s » (%(what)s) manque : la grille locale compte les parties %(expected)s."
                )
                % {"code": code, "what": what, "expected": expected}
            )
    # With every section present once (a duplicate has its own message), only the order can still be wrong.
    if not errors and len(codes) == len(LOCAL_SECTIONS) and tuple(codes) != LOCAL_SECTIONS:
        errors.append(
            _(
                "Les parties de la grille locale doivent se suivre dans l’ordre %(expected)s "
                "(ordre du fichier : %(found)s)."
            )
            % {"expected": expected, "found": ", ".join(f"« {code} »" for code in codes)}
        )
    return errors


def _section_label(index: int, code) -> str:
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)
    if isinstance(code, str) and code:
        return _("Partie %(index)s (%(code)s)") % {"index": index, "code": code[:20]}
    return _("Partie %(index)s") % {"index": index}


def _checkpoint_label(section: str, index: int, code) -> str:
    if isinstance(code, str) and code:
        return _("%(section)s, point de contrôle %(index)s (%(code)s)") % {
            "section": section,
            "index": index,
            "code": code[:20],
        }
    return _("%(section)s, point de contrôle %(index)s") % {"section": section, "index": index}
