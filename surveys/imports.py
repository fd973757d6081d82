"""Import of survey answers from a CSV file (issue #4, « Import of answers from a CSV file »; guide §3.4).

The file holds one row per questionnaire, under a header naming the questions by their code. The import is
all-or-nothing: a file is stored whole, in one transaction, or refused with every bad line and its number.
Each row is stored as `services.response_record` would store it: one Response whose `positions` hold its
answers ("0" for NSP) and whose admissibility is `rules.is_admissible`'s, plus one AnswerImport for the file.

Two readers: `_fast_rows` streams a plain file into PostgreSQL's COPY while it reads it (issue #4's goal: within
3 × a plain COPY of the same file); `_parse` is the full reader — quotes, labels in any case or spacing,
Windows-1252 — and the only one that reports errors. Anything the fast one does not know goes to the full one.
"""

import codecs
import csv
import hashlib
import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _

from surveys import rules
from surveys.enums import NSP_LABEL, SCALE_LABELS, SCALE_POINTS, Channel
from surveys.models import AnswerImport, Campaign, Response, TransactionNow

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


def _parse(text: str, codes: list[str]) -> list[tuple[bool, str]]:
    """Validate the whole file; return (complete, positions) per row, or raise ImportRefused with every error.

    `positions` is the Response's: one character per question in questionnaire order, "0" for NSP."""
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
    rows: list[tuple[bool, str]] = []
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
                rows.append((True, ""))
                continue
            positions = bytearray(b"0" * len(codes))
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
                    positions[slot] = ord("0") + position
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
            rows.append((complete, positions.decode()))
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


class _NotCanonical(Exception):
    """The fast reader met something only the full reader can judge (quotes, a label written differently, a bad
    cell, a blank line…): the file goes through `_parse`, which accepts it or reports every error."""


def _variants(value: str) -> set[str]:
    straight = value.replace("’", "'")
    return {
        form for text in (value, straight) for form in (text, text.lower(), text.upper(), text.capitalize())
    }


def _fast_maps() -> tuple[dict[str, str], dict[str, bool]]:
    """Exact cell texts the fast reader knows → the character stored in `positions` (and `complete` values →
    bool). Every key means here what `_parse` makes of it (tested): anything else goes through `_parse`."""
    cells = {str(position): str(position) for position in SCALE_POINTS} | {"": "0"}
    labels = {NSP_LABEL: 0, "NSP": 0} | dict((label, position) for position, label in SCALE_LABELS.items())
    for label, position in labels.items():
        for language in ("fr", translation.get_language()):
            with translation.override(language):
                cells |= dict.fromkeys(_variants(str(label)), str(position))
    complete = {"": True}
    for value, meaning in COMPLETE_VALUES.items():
        complete |= dict.fromkeys(_variants(value), meaning)
    return cells, complete


# A block is how both readers hand rows to the writers: one line per questionnaire, its `positions` then "t" or
# "f" for `complete`, then "\n" — b"403222222222222t\n".
_TRUE, _FALSE = b"t", b"f"

# The fast reader's markers: each label or NSP text, each `complete` value, becomes one control byte (which a
# real file never holds), so that a cell made of anything else — two labels, a label and a word — cannot pass
# for a single answer.
_MARKERS = {"1": b"\x01", "2": b"\x02", "3": b"\x03", "4": b"\x04", "0": b"\x05"}
_YES, _NO = b"\x06", b"\x07"
_ALL_MARKERS = b"".join(_MARKERS.values()) + _YES + _NO
_CELL_BYTES = b"1234" + b"".join(_MARKERS.values())
_TO_BLOCK = bytes.maketrans(_ALL_MARKERS, b"12340" + _TRUE + _FALSE)
_PIECE_BYTES = 512 * 1024  # the fast reader hands the database a block about every 512 kB…
_FIRST_PIECE_BYTES = 32 * 1024  # …after a small first one, so that the database starts at once
_SAMPLE_BYTES = 16 * 1024  # where it looks for the texts a piece uses


def _rows_to_block(rows) -> bytes:
    """The full reader's rows (complete, positions) as a block."""
    return "".join(f"{positions}{'t' if complete else 'f'}\n" for complete, positions in rows).encode()


def _fast_blocks(data: bytes, codes: list[str]):
    """The fast reader of a plain file — no quotes, the questions' columns in the questionnaire's order (then
    `complete`, if any), cells written exactly as `_fast_maps` knows them. It works on pieces of about 512 kB
    with whole-buffer byte operations (no per-cell Python), and yields one block per piece, so that the
    database stores a piece while the next is read. Raises _NotCanonical at the first thing it does not know
    (then the full reader takes the file); it never reports errors itself.

    It reads the file's bytes without decoding them: a label is replaced only as its exact UTF-8 bytes, and
    every byte left must be a digit, a separator or a marker, so a file that is not UTF-8 cannot pass."""
    data = data.removeprefix(codecs.BOM_UTF8)
    if b'"' in data:
        raise _NotCanonical
    if any(marker in data for marker in _ALL_MARKERS):
        raise _NotCanonical
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
        if b"\r" in data:
            raise _NotCanonical
    header_line, _newline, body = data.partition(b"\n")
    try:
        header = header_line.decode()
    except UnicodeDecodeError:
        raise _NotCanonical from None
    delimiter = ";" if header.count(";") >= header.count(",") else ","
    names = [name.strip().casefold() for name in header.split(delimiter)]
    wanted = [code.casefold() for code in codes]
    with_complete = names == [*wanted, COMPLETE_COLUMN]
    if not with_complete and names != wanted:
        raise _NotCanonical
    body = body.rstrip(b"\n") + b"\n"
    if body == b"\n":
        raise _NotCanonical
    if body.count(b"\n") > MAX_ROWS:
        raise _NotCanonical
    sep = delimiter.encode()
    cells, completes = _fast_maps()
    # Longest first, so that a text containing another is replaced whole.
    tokens = sorted(
        ((text.encode(), _MARKERS[char]) for text, char in cells.items() if len(text) > 1),
        key=lambda item: -len(item[0]),
    )
    endings = [
        (sep + text.encode() + b"\n", sep + (_YES if meaning else _NO) + b"\n")
        for text, meaning in sorted(completes.items(), key=lambda item: -len(item[0]))
    ]
    start, size = 0, _FIRST_PIECE_BYTES
    while start < len(body):
        end = body.find(b"\n", min(start + size, len(body) - 1)) + 1
        size = _PIECE_BYTES
        yield _fast_block(body[start:end], len(codes), sep, with_complete, tokens, endings)
        start = end


def _fast_block(piece: bytes, question_count: int, sep: bytes, with_complete: bool, tokens, endings) -> bytes:
    """One piece of whole lines → its block; see `_fast_blocks`."""
    sample = piece[:_SAMPLE_BYTES]
    for text, marker in tokens:
        if text in sample:
            piece = piece.replace(text, marker)
    # Empty cells are NSP: fill them, so that every question's cell is one byte.
    nsp = _MARKERS["0"]
    piece = b"\n" + piece
    for _pass in range(2):  # two passes fill runs of empty cells (a replacement does not overlap itself)
        piece = piece.replace(sep + sep, sep + nsp + sep)
    piece = piece.replace(b"\n" + sep, b"\n" + nsp + sep)[1:]
    if with_complete:
        sample = piece[:_SAMPLE_BYTES]
        for ending, marker in endings:
            if ending in sample:
                piece = piece.replace(ending, marker)
    else:
        piece = piece.replace(sep + b"\n", sep + nsp + b"\n").replace(b"\n", sep + _YES + b"\n")
    # Now every line must be exactly: one byte per question and one for `complete`, separated.
    rows = piece.count(b"\n")
    width = 2 * question_count + 2
    if len(piece) != rows * width or piece[1::2] != (sep * question_count + b"\n") * rows:
        raise _NotCanonical
    values = piece[0::2]
    if values[question_count :: question_count + 1].translate(None, _YES + _NO):
        raise _NotCanonical
    if values.translate(None, _CELL_BYTES + _YES + _NO) or values.count(_YES) + values.count(_NO) != rows:
        raise _NotCanonical
    return piece.translate(_TO_BLOCK, sep)


def import_csv(*, campaign: Campaign, uploaded_file, user) -> ImportReport:
    """Import every questionnaire of a CSV file into `campaign`, or none (all-or-nothing).

    Header: the questionnaire's codes in any order, and an optional `complete` column (oui/non, default oui).
    Cell: position 1–4, the answer's label, or empty / « NSP » for « non concerné / ne se prononce pas ».
    Raises ImportRefused listing every bad line (line 1 is the header); a closed campaign refuses imports.
    The caller has checked that `user` may manage the campaign's service; the import is recorded as an
    AnswerImport (who, when, which file) that its questionnaires point to.

    A plain file is read by `_fast_blocks` while PostgreSQL stores it (COPY, piece by piece, in one
    transaction); at the first thing the fast reader does not know, that transaction is rolled back and the file
    goes through `_parse`, the full reader that accepts it or lists every error.
    """
    if campaign.closed_at is not None:
        raise ImportRefused([_("La campagne est close : elle ne reçoit plus de réponses.")])
    data = _read_bytes(uploaded_file)
    if b"\x00" in data:
        raise ImportRefused([_("Ce fichier n’est pas un fichier texte : enregistrez-le au format CSV.")])
    codes = list(campaign.questionnaire.questions.order_by("position").values_list("code", flat=True))
    source = {
        "file_name": (getattr(uploaded_file, "name", "") or "")[:255],
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    try:
        return _store(
            campaign=campaign, user=user, source=source, codes=codes, blocks=_fast_blocks(data, codes)
        )
    except _NotCanonical:
        pass
    rows = _parse(_decode(data), codes)
    blocks = (
        _rows_to_block(rows[start : start + BULK_BATCH_SIZE])
        for start in range(0, len(rows), BULK_BATCH_SIZE)
    )
    return _store(campaign=campaign, user=user, source=source, codes=codes, blocks=blocks)


def _store(*, campaign: Campaign, user, source: dict, codes: list[str], blocks) -> ImportReport:
    """Store the questionnaires of `blocks` as one AnswerImport and its Response rows, in one transaction: COPY
    on PostgreSQL, bulk_create elsewhere (SQLite in `make demo`). The database computes each row's `answered`
    and `admissible`; the report counts them here with `rules.is_admissible`, by number of answered questions."""
    question_count = len(codes)
    admissible_for = {
        flag[0]: [
            rules.is_admissible(complete=complete, answered=answered, question_count=question_count)
            for answered in range(question_count + 1)
        ]
        for flag, complete in ((_TRUE, True), (_FALSE, False))
    }
    line = question_count + 2

    def count(block: bytes) -> tuple[int, int]:
        admissible = sum(
            admissible_for[block[start + question_count]][
                question_count - block.count(48, start, start + question_count)
            ]
            for start in range(0, len(block), line)
        )
        return len(block) // line, admissible

    with transaction.atomic():
        # Under lock: a campaign closed while the file was being read refuses it.
        locked = Campaign.objects.select_for_update().only("closed_at").get(pk=campaign.pk)
        if locked.closed_at is not None:
            raise ImportRefused([_("La campagne est close : elle ne reçoit plus de réponses.")])
        batch = AnswerImport.objects.create(campaign=campaign, imported_by=user, **source)
        write = _write_copy if connection.vendor == "postgresql" else _write_bulk
        imported, admissible = write(batch, blocks, count)
        if not imported:
            raise ImportRefused(
                [_("Le fichier ne contient que l’en-tête : aucune ligne de réponses à importer.")]
            )
        # On PostgreSQL the rows took the transaction's time (the column's database default): so does the import.
        at = {"imported_at": TransactionNow()} if write is _write_copy else {}
        AnswerImport.objects.filter(pk=batch.pk).update(imported=imported, admissible=admissible, **at)
    return ImportReport(imported=imported, admissible=admissible)


def _write_copy(batch, blocks, count) -> tuple[int, int]:
    """PostgreSQL: one COPY into the questionnaires' table, a block at a time as the reader yields them. Each
    block becomes COPY text by two replacements: "…t\n" → "…\tt\t<campaign>\t<import>\timport\n"."""
    imported = admissible = 0
    table = connection.ops.quote_name(Response._meta.db_table)
    tail = f"\t{batch.campaign_id}\t{batch.pk}\t{Channel.IMPORT.value}\n".encode()
    with connection.cursor() as cursor:
        pg_cursor = cursor.connection.cursor()
        with pg_cursor.copy(
            f"COPY {table} (positions, complete, campaign_id, answer_import_id, channel) FROM STDIN"
        ) as copy:
            for block in blocks:
                copy.write(
                    block.replace(_TRUE + b"\n", b"\t" + _TRUE + tail).replace(
                        _FALSE + b"\n", b"\t" + _FALSE + tail
                    )
                )
                rows, block_admissible = count(block)
                imported += rows
                admissible += block_admissible
    return imported, admissible


def _write_bulk(batch, blocks, count) -> tuple[int, int]:
    """Other databases: bulk_create, a block at a time."""
    imported = admissible = 0
    for block in blocks:
        Response.objects.bulk_create(
            Response(
                campaign_id=batch.campaign_id,
                answer_import=batch,
                channel=Channel.IMPORT,
                complete=line[-1:] == _TRUE.decode(),
                positions=line[:-1],
                received_at=batch.imported_at,
            )
            for line in block.decode().splitlines()
        )
        rows, block_admissible = count(block)
        imported += rows
        admissible += block_admissible
    return imported, admissible
