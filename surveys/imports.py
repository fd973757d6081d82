"""Import of survey answers from a CSV file (issue #4, « Import of answers from a CSV file »; guide §3.4).

The file holds one row per questionnaire, under a header naming the questions by their code. The import is
all-or-nothing: the whole file is validated in Python first and every bad line is reported with its number;
only a clean file is stored, in one transaction, by bulk insertion (PostgreSQL COPY, or bulk_create elsewhere).
Each row is stored exactly as `services.response_record` would store it: one Response (admissibility decided
by `rules.is_admissible`) and one Answer per question of the questionnaire, NULL for NSP.
"""

import csv
import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from surveys import rules
from surveys.enums import NSP_LABEL, SCALE_LABELS, SCALE_POINTS, Channel
from surveys.models import Answer, Campaign, Response

MAX_ROWS = 200_000
MAX_LISTED_ERRORS = 100
COMPLETE_COLUMN = "complete"
COMPLETE_VALUES = {
    "oui": True,
    "yes": True,
    "1": True,
    "vrai": True,
    "true": True,
    "non": False,
    "no": False,
    "0": False,
    "faux": False,
    "false": False,
}
BULK_BATCH_SIZE = 2000
# An answer's stored points, as the database writes them (DecimalField with 2 decimals).
_POINTS_TEXT = {position: f"{points:.2f}" for position, points in SCALE_POINTS.items()}
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "´": "'", "`": "'"})
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class ImportReport:
    imported: int
    admissible: int


class ImportRefused(Exception):
    """The file is refused as a whole; `errors` lists the reasons, in French, one sentence each."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def _normalise(value: str) -> str:
    """Case-insensitive, spaces collapsed, typographic apostrophes as straight ones: « Plutôt d’accord »."""
    return _SPACES.sub(" ", value.translate(_APOSTROPHES)).strip().casefold()


def _cell_values() -> dict[str, int | None]:
    """What a cell may hold → position (None for NSP): 1–4, the scale's labels (French and the active
    language), empty, « NSP » or the NSP label itself."""
    values: dict[str, int | None] = {"": None, "nsp": None}
    with translation.override("fr"):
        french = {_normalise(str(label)): position for position, label in SCALE_LABELS.items()}
        french[_normalise(str(NSP_LABEL))] = None
    values |= french
    values |= {_normalise(str(label)): position for position, label in SCALE_LABELS.items()}
    values[_normalise(str(NSP_LABEL))] = None
    values |= {str(position): position for position in SCALE_POINTS}
    return values


def _shorten(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _decode(data: bytes) -> str:
    """UTF-8 with or without BOM; otherwise Windows-1252, which French spreadsheets (Excel « CSV (séparateur :
    point-virgule) ») still export: a byte sequence that is not valid UTF-8 is read as Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportRefused(
            [_("Le fichier n’est ni en UTF-8 ni en Windows-1252 : enregistrez-le au format CSV UTF-8.")]
        ) from None


def _read_bytes(uploaded_file) -> bytes:
    max_bytes = settings.UPLOAD_MAX_BYTES
    too_large = ImportRefused(
        [_("Le fichier dépasse la taille maximale de %(size)s.") % {"size": filesizeformat(max_bytes)}]
    )
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > max_bytes:
        raise too_large
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large
    return data


class _Errors:
    """Every error is counted; the first MAX_LISTED_ERRORS are listed."""

    def __init__(self):
        self.listed: list[str] = []
        self.count = 0

    def add(self, message: str):
        self.count += 1
        if len(self.listed) < MAX_LISTED_ERRORS:
            self.listed.append(message)

    def refuse_if_any(self):
        if not self.count:
            return
        errors = list(self.listed)
        others = self.count - len(errors)
        if others:
            errors.append(_("… et %(count)s autres erreurs.") % {"count": others})
        raise ImportRefused(errors)


def _parse(text: str, codes: list[str]) -> list[tuple[bool, bytes]]:
    """Validate the whole file; return (complete, positions) per row, or raise ImportRefused with every error."""
    if not text.strip():
        raise ImportRefused([_("Le fichier est vide.")])
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    errors = _Errors()
    try:
        header = next(reader)
    except csv.Error:
        raise ImportRefused([_("Ligne 1 : l’en-tête ne peut pas être lu comme du CSV.")]) from None

    # Header: exactly the questionnaire's codes (any order, case-insensitive), plus an optional `complete`.
    known = {code.casefold(): code for code in codes}
    column_of: dict[str, int] = {}
    complete_column = None
    for index, raw in enumerate(header):
        name = raw.strip()
        key = name.casefold()
        if not name:
            errors.add(_("Ligne 1 : la colonne n° %(number)s n’a pas de nom.") % {"number": index + 1})
        elif key == COMPLETE_COLUMN:
            if complete_column is not None:
                errors.add(_("Ligne 1 : la colonne « complete » apparaît plusieurs fois."))
            complete_column = index
        elif key in known:
            if known[key] in column_of:
                errors.add(
                    _("Ligne 1 : la question %(code)s apparaît plusieurs fois.") % {"code": known[key]}
                )
            column_of[known[key]] = index
        else:
            errors.add(
                _("Ligne 1 : la colonne « %(code)s » n’est pas une question de ce questionnaire.")
                % {"code": _shorten(name)}
            )
    for code in codes:
        if code not in column_of:
            errors.add(_("Ligne 1 : la colonne de la question %(code)s manque.") % {"code": code})
    errors.refuse_if_any()

    values = _cell_values()
    indices = [column_of[code] for code in codes]
    width = len(header)
    rows: list[tuple[bool, bytes]] = []
    pending_blank: list[int] = []  # blank lines are an error only when a data row follows them
    line = reader.line_num
    scale_help = _("1 à 4, libellé de la réponse, vide ou NSP")
    try:
        for record in reader:
            number, line = line + 1, reader.line_num
            if not record or not "".join(record).strip():
                pending_blank.append(number)
                continue
            for blank in pending_blank:
                errors.add(
                    _("Ligne %(line)s : ligne vide (indiquez NSP pour un questionnaire sans réponse).")
                    % {"line": blank}
                )
            pending_blank = []
            if len(rows) + 1 > MAX_ROWS:
                raise ImportRefused(
                    [
                        _(
                            "Le fichier dépasse %(max)s lignes de réponses : découpez-le en plusieurs fichiers."
                        )
                        % {"max": f"{MAX_ROWS:_}".replace("_", " ")}
                    ]
                )
            if len(record) != width:
                errors.add(
                    _("Ligne %(line)s : %(found)s valeurs au lieu de %(expected)s.")
                    % {"line": number, "found": len(record), "expected": width}
                )
                rows.append((True, b""))
                continue
            positions = bytearray(len(codes))
            for slot, (code, index) in enumerate(zip(codes, indices, strict=True)):
                cell = record[index]
                try:
                    position = values[cell]
                except KeyError:
                    position = values.get(_normalise(cell), -1)
                if position == -1:
                    errors.add(
                        _(
                            "Ligne %(line)s : valeur « %(value)s » hors de l’échelle pour la question %(code)s (%(help)s)."
                        )
                        % {"line": number, "value": _shorten(cell.strip()), "code": code, "help": scale_help}
                    )
                elif position is not None:
                    positions[slot] = position
            complete = True
            if complete_column is not None:
                cell = _normalise(record[complete_column])
                if cell:
                    complete = COMPLETE_VALUES.get(cell)
                    if complete is None:
                        errors.add(
                            _(
                                "Ligne %(line)s : valeur « %(value)s » non reconnue dans la colonne complete (oui ou non)."
                            )
                            % {"line": number, "value": _shorten(record[complete_column].strip())}
                        )
                        complete = True
            rows.append((complete, bytes(positions)))
    except csv.Error as error:
        errors.add(
            _("Ligne %(line)s : le fichier ne peut pas être lu comme du CSV (%(reason)s).")
            % {"line": line + 1, "reason": error}
        )
    errors.refuse_if_any()
    if not rows:
        raise ImportRefused(
            [_("Le fichier ne contient que l’en-tête : aucune ligne de réponses à importer.")]
        )
    return rows


def import_csv(*, campaign: Campaign, uploaded_file, user) -> ImportReport:
    """Import every questionnaire of a CSV file into `campaign`, or none (all-or-nothing).

    Header: the questionnaire's codes in any order, and an optional `complete` column (oui/non, default oui).
    Cell: position 1–4, the answer's label, or empty / « NSP » for « non concerné / ne se prononce pas ».
    Raises ImportRefused listing every bad line (line 1 is the header); a closed campaign refuses imports.
    The caller has checked that `user` may manage the campaign's service; `user` is recorded as `entered_by`.
    """
    if campaign.closed_at is not None:
        raise ImportRefused([_("La campagne est close : elle ne reçoit plus de réponses.")])
    data = _read_bytes(uploaded_file)
    if b"\x00" in data:
        raise ImportRefused([_("Ce fichier n’est pas un fichier texte : enregistrez-le au format CSV.")])
    text = _decode(data)
    questions = list(campaign.questionnaire.questions.order_by("position").values_list("pk", "code"))
    codes = [code for _pk, code in questions]
    rows = _parse(text, codes)

    question_count = len(codes)
    prepared = []
    admissible_count = 0
    for complete, positions in rows:
        answered = question_count - positions.count(0)
        admissible = rules.is_admissible(complete=complete, answered=answered, question_count=question_count)
        admissible_count += admissible
        prepared.append((complete, answered, admissible, positions))

    with transaction.atomic():
        # Re-read under lock: a campaign closed while the file was being validated refuses it.
        locked = Campaign.objects.select_for_update().only("closed_at").get(pk=campaign.pk)
        if locked.closed_at is not None:
            raise ImportRefused([_("La campagne est close : elle ne reçoit plus de réponses.")])
        store_rows(
            campaign=campaign,
            question_ids=[pk for pk, _code in questions],
            rows=prepared,
            user=user,
        )
    return ImportReport(imported=len(prepared), admissible=admissible_count)


def store_rows(*, campaign: Campaign, question_ids: list[int], rows: list, user) -> None:
    """Insert validated rows: `rows` holds (complete, answered, admissible, positions) with positions a bytes
    aligned on `question_ids`, 0 for NSP. COPY on PostgreSQL, bulk_create elsewhere (SQLite in `make demo`)."""
    received_at = timezone.now()
    if connection.vendor == "postgresql":
        _store_copy(campaign, question_ids, rows, user, received_at)
    else:
        _store_bulk(campaign, question_ids, rows, user, received_at)


def _store_copy(campaign, question_ids, rows, user, received_at):
    """PostgreSQL: reserve the responses' ids in one query, then COPY the responses, then COPY the answers."""
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Response._meta.db_table, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        pg_cursor = cursor.connection.cursor()
        response_table = connection.ops.quote_name(Response._meta.db_table)
        answer_table = connection.ops.quote_name(Answer._meta.db_table)
        entered_by = r"\N" if user is None else str(user.pk)
        prefix = f"\t{campaign.pk}\t{Channel.IMPORT.value}\t"
        suffix = f"\t{received_at.isoformat()}\t{entered_by}\n"
        with pg_cursor.copy(
            f"COPY {response_table} (id, campaign_id, channel, complete, answered, admissible, received_at,"
            " entered_by_id) FROM STDIN"
        ) as copy:
            buffer = []
            for response_id, (complete, answered, admissible, _positions) in zip(ids, rows, strict=True):
                buffer.append(
                    f"{response_id}{prefix}{'t' if complete else 'f'}\t{answered}\t"
                    f"{'t' if admissible else 'f'}{suffix}"
                )
                if len(buffer) >= 10_000:
                    copy.write("".join(buffer))
                    buffer = []
            copy.write("".join(buffer))
        # Text of one answer line after its response id, for every (question, position): built once.
        tails = [
            [f"\t{question_id}\t\\N\t\\N\n"]
            + [f"\t{question_id}\t{p}\t{_POINTS_TEXT[p]}\n" for p in sorted(SCALE_POINTS)]
            for question_id in question_ids
        ]
        with pg_cursor.copy(
            f"COPY {answer_table} (response_id, question_id, position, points) FROM STDIN"
        ) as copy:
            buffer = []
            for response_id, (_c, _a, _adm, positions) in zip(ids, rows, strict=True):
                rid = str(response_id)
                buffer.extend(rid + tails[slot][p] for slot, p in enumerate(positions))
                if len(buffer) >= 50_000:
                    copy.write("".join(buffer))
                    buffer = []
            copy.write("".join(buffer))


def _store_bulk(campaign, question_ids, rows, user, received_at):
    """Other databases: bulk_create in batches (the database returns the responses' ids)."""
    for start in range(0, len(rows), BULK_BATCH_SIZE):
        batch = rows[start : start + BULK_BATCH_SIZE]
        responses = Response.objects.bulk_create(
            Response(
                campaign=campaign,
                channel=Channel.IMPORT,
                complete=complete,
                answered=answered,
                admissible=admissible,
                received_at=received_at,
                entered_by=user,
            )
            for complete, answered, admissible, _positions in batch
        )
        Answer.objects.bulk_create(
            (
                Answer(
                    response_id=response.pk,
                    question_id=question_id,
                    position=p or None,
                    points=SCALE_POINTS[p] if p else None,
                )
                for response, (_c, _a, _adm, positions) in zip(responses, batch, strict=True)
                for question_id, p in zip(question_ids, positions, strict=True)
            ),
            batch_size=BULK_BATCH_SIZE,
        )
