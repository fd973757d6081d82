"""The English catalogue (locale/en): complete, faithful to its French ids, compiled, in sync with the code.

The interface is written in French (message ids are French) and English is the second language. These
tests read locale/en/LC_MESSAGES/django.po with the small parser below (polib is not a dependency), and
each check is also run on a broken sample, so that a check that could never fail would be noticed.
"""

from __future__ import annotations

import dataclasses
import gettext
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

ROOT = Path(__file__).resolve().parents[1]
PO_PATH = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
# What `makemessages` leaves out: the virtualenv, the tests, collected static files, private uploads.
MAKEMESSAGES_IGNORES = [".venv", "tests", "staticfiles", "private"]


# --- A small PO parser -----------------------------------------------------------------------------------


@dataclasses.dataclass
class Entry:
    msgid: str
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = dataclasses.field(default_factory=dict)  # a singular entry uses index 0
    flags: set[str] = dataclasses.field(default_factory=set)
    line: int = 0

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def label(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$")


_QUOTED = re.compile(r'^"(?:[^"\\]|\\.)*"$')


def _unquote(token: str, lineno: int) -> str:
    if not _QUOTED.match(token):
        raise ValueError(f"line {lineno}: not one quoted string: {token}")

    def unescape(match):
        try:
            return _ESCAPES[match.group(1)]
        except KeyError:
            raise ValueError(f"line {lineno}: unknown escape \\{match.group(1)}") from None

    return re.sub(r"\\(.)", unescape, token[1:-1])


def parse_po(text: str) -> list[Entry]:
    """The active entries of a PO file, header included; obsolete (`#~`) entries are left out.

    An entry is its comments and flags, then `msgctxt`, `msgid`, `msgid_plural` and `msgstr` or
    `msgstr[n]`, each a quoted string that the following quoted lines continue.
    """
    entries: list[Entry] = []
    fields: dict[str, str] = {}  # keyword -> value; a singular msgstr is stored as "msgstr[0]"
    flags: set[str] = set()
    msgid_line = 0
    current = None  # the field that a continuation line extends

    def finish():
        nonlocal fields, flags, current
        if fields:
            if "msgid" not in fields or not any(key.startswith("msgstr") for key in fields):
                raise ValueError(f"line {msgid_line}: an entry needs a msgid and a msgstr")
            entries.append(
                Entry(
                    msgid=fields["msgid"],
                    msgid_plural=fields.get("msgid_plural"),
                    msgctxt=fields.get("msgctxt"),
                    msgstr={
                        int(key[7:-1]): value for key, value in fields.items() if key.startswith("msgstr")
                    },
                    flags=flags,
                    line=msgid_line,
                )
            )
        fields, flags, current = {}, set(), None

    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#~"):
            continue  # an obsolete entry, unused at run time
        if not line or line.startswith("#"):
            if "msgid" in fields:  # a blank line or a comment closes the entry before it
                finish()
            if line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        if line.startswith('"'):
            if current is None:
                raise ValueError(f"line {lineno}: a continuation line outside of any field")
            fields[current] += _unquote(line, lineno)
            continue
        match = _KEYWORD.match(line)
        if not match:
            raise ValueError(f"line {lineno}: unexpected line: {line}")
        keyword, index, value = match.groups()
        if keyword in ("msgctxt", "msgid") and any(key.startswith("msgstr") for key in fields):
            finish()  # the next entry, without a blank line in between
        if keyword.startswith("msgstr"):
            keyword = f"msgstr[{int(index or 0)}]"
            if "msgid" not in fields:
                raise ValueError(f"line {lineno}: msgstr before msgid")
        if keyword in fields:
            raise ValueError(f"line {lineno}: {keyword} given twice")
        if keyword == "msgid":
            msgid_line = lineno
        fields[keyword] = _unquote(value, lineno)
        current = keyword
    finish()
    return entries


def _nplurals(entries: list[Entry]) -> int:
    header = next(entry for entry in entries if entry.is_header).msgstr[0]
    match = re.search(r"^Plural-Forms:.*\bnplurals\s*=\s*(\d+)", header, re.MULTILINE)
    assert match, "the header has no Plural-Forms"
    return int(match.group(1))


# --- Checks: each returns the list of problems it finds ---------------------------------------------------


def untranslated(entries: list[Entry]) -> list[str]:
    nplurals = _nplurals(entries)
    problems = []
    for entry in entries:
        if entry.is_header:
            continue
        expected = list(range(nplurals)) if entry.msgid_plural is not None else [0]
        if sorted(entry.msgstr) != expected:
            problems.append(f"{entry.label}: msgstr forms {sorted(entry.msgstr)}, expected {expected}")
        elif not all(entry.msgstr[i].strip() for i in expected):
            problems.append(f"{entry.label}: empty translation")
    return problems


def fuzzy(entries: list[Entry]) -> list[str]:
    # A fuzzy entry is left out of the .mo file by compilemessages: its English would silently not show.
    return [entry.label for entry in entries if "fuzzy" in entry.flags]


_PRINTF = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conversion>[diouxXeEfFgGcrsa%])"
)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def placeholders(text: str) -> tuple[Counter, list[str], Counter]:
    """Named `%(name)s` placeholders, positional ones (`%s`, `%d`, in order) and HTML tags of a string."""
    named, positional = Counter(), []
    for match in _PRINTF.finditer(text):
        if match.group("conversion") == "%":
            continue  # a literal percent sign
        if match.group("name") is not None:
            named[match.group(0)] += 1
        else:
            positional.append(match.group(0))
    return named, positional, Counter(_TAG.findall(text))


def _same_placeholders(source: str, translated: str) -> bool:
    source_named, source_positional, source_tags = placeholders(source)
    named, positional, tags = placeholders(translated)
    # A named placeholder may be repeated or moved, but none may be dropped, added or retyped.
    return set(named) == set(source_named) and positional == source_positional and tags == source_tags


def placeholder_mismatches(entries: list[Entry]) -> list[str]:
    problems = []
    for entry in entries:
        if entry.is_header:
            continue
        for index, translated in sorted(entry.msgstr.items()):
            source = entry.msgid if index == 0 or entry.msgid_plural is None else entry.msgid_plural
            if translated and not _same_placeholders(source, translated):
                problems.append(
                    f"{entry.label}: msgstr[{index}] {translated!r} does not keep the placeholders"
                )
    return problems


def _catalogue_key(entry: Entry) -> str:
    return entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"


def stale_mo(entries: list[Entry], mo_path: Path) -> list[str]:
    """Where the compiled catalogue does not say what the .po says (it was not recompiled)."""
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    problems, expected_keys = [], set()
    for entry in entries:
        if entry.is_header:
            continue
        if entry.msgid_plural is None:
            expected_keys.add(_catalogue_key(entry))
            if entry.msgctxt is None:
                got = compiled.gettext(entry.msgid)
            else:
                got = compiled.pgettext(entry.msgctxt, entry.msgid)
            if got != entry.msgstr.get(0):
                problems.append(f"{entry.label}: the .mo says {got!r}, the .po {entry.msgstr.get(0)!r}")
            continue
        for index, translated in entry.msgstr.items():
            expected_keys.add((_catalogue_key(entry), index))
            n = next(n for n in range(1000) if compiled.plural(n) == index)
            if entry.msgctxt is None:
                got = compiled.ngettext(entry.msgid, entry.msgid_plural, n)
            else:
                got = compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
            if got != translated:
                problems.append(f"{entry.label}: for n={n} the .mo says {got!r}, the .po {translated!r}")
    # gettext falls back to the msgid when a message is missing, so also compare the list of messages
    # (GNUTranslations keeps them in `_catalog`, the same mapping since Python 2).
    compiled_keys = set(compiled._catalog) - {""}
    for key in sorted(map(str, compiled_keys - expected_keys)):
        problems.append(f"the .mo has a message the .po no longer has: {key}")
    for key in sorted(map(str, expected_keys - compiled_keys)):
        problems.append(f"the .mo lacks a message of the .po: {key}")
    return problems


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return parse_po(PO_PATH.read_text(encoding="utf-8"))


# --- The parser itself -------------------------------------------------------------------------------------

SAMPLE = r"""# A comment.
#, fuzzy
msgid ""
msgstr ""
"Language: en\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: a.py:1
#, python-format
msgid ""
"Une ligne, "
"puis une \"autre\" de %(count)d"
msgstr ""
"One line, "
"then another of %(count)d"

#: b.py:2
#, fuzzy, python-format
msgid "%(n)s site"
msgid_plural "%(n)s sites"
msgstr[0] "%(n)s site"
msgstr[1] ""

msgctxt "mois"
msgid "Mai"
msgstr "May"
msgid "Vide"
msgstr ""

#: c.py:3
msgid "Compte %(name)s<br>"
msgstr "Account %(nom)s"

#~ msgid "Ancien"
#~ msgstr "Old"
"""


def test_the_parser_reads_multiline_plural_context_and_flags():
    header, multiline, plural, context, empty, wrong = parse_po(SAMPLE)
    assert header.is_header and "nplurals=2" in header.msgstr[0] and "fuzzy" in header.flags
    assert multiline.msgid == 'Une ligne, puis une "autre" de %(count)d'
    assert multiline.msgstr == {0: "One line, then another of %(count)d"}
    assert multiline.flags == {"python-format"} and multiline.line == 10
    assert (plural.msgid, plural.msgid_plural) == ("%(n)s site", "%(n)s sites")
    assert plural.msgstr == {0: "%(n)s site", 1: ""} and "fuzzy" in plural.flags
    assert (context.msgctxt, context.msgid, context.msgstr) == ("mois", "Mai", {0: "May"})
    assert (empty.msgid, empty.msgstr) == ("Vide", {0: ""})
    assert wrong.msgid == "Compte %(name)s<br>"


def test_the_parser_rejects_what_it_does_not_understand():
    with pytest.raises(ValueError, match="line 2"):
        parse_po('msgid "a"\nmsgstr "b" "c"\n')
    with pytest.raises(ValueError, match="msgstr before msgid"):
        parse_po('msgstr "b"\n')


def test_the_checks_find_the_problems_of_a_broken_sample():
    sample = parse_po(SAMPLE)
    assert [problem.split(":")[0] for problem in untranslated(sample)] == ["line 19", "line 27"]
    assert [problem.split(":")[0] for problem in fuzzy(sample)] == ["line 3", "line 19"]
    assert [problem.split(":")[0] for problem in placeholder_mismatches(sample)] == ["line 31"]


@pytest.mark.parametrize(
    ("source", "translated", "same"),
    [
        ("%(count)d site", "%(count)d site", True),
        ("%(count)d site", "%(count)s site", False),  # retyped
        ("%(a)s et %(b)s", "%(b)s and %(a)s", True),  # moved
        ("%(a)s", "no placeholder", False),  # dropped
        ("texte", "text %(a)s", False),  # added
        ("%s de %d", "%s of %d", True),
        ("%s de %d", "%d of %s", False),  # positional ones cannot move
        ("100 %% sûr", "100 %% sure", True),  # a literal percent sign is no placeholder
        ("100 %% sûr", "100% sure", False),  # "% s" is a conversion (space flag): "%%" was needed
        ("<strong>%(a)s</strong>", "<strong>%(a)s</strong>", True),
        ("<strong>%(a)s</strong>", "%(a)s", False),  # an HTML tag dropped
    ],
)
def test_placeholder_comparison(source, translated, same):
    assert _same_placeholders(source, translated) is same


# --- (a) and (b): the catalogue is complete and keeps every placeholder ---------------------------------


def test_the_catalogue_has_entries_and_a_proper_header(entries):
    header = next(entry for entry in entries if entry.is_header).msgstr[0]
    assert "Language: en\n" in header
    assert "charset=UTF-8" in header
    assert len(entries) > 200  # the whole interface, not a stub


def test_every_entry_is_translated(entries):
    assert untranslated(entries) == []


def test_no_entry_is_fuzzy(entries):
    assert fuzzy(entries) == []


def test_translations_keep_the_placeholders_of_their_message_id(entries):
    assert placeholder_mismatches(entries) == []


# --- (c): the committed .mo file is the compilation of the .po ----------------------------------------------


def test_the_compiled_catalogue_matches_the_po_file(entries):
    assert MO_PATH.exists(), "run `manage.py compilemessages --ignore=.venv`"
    problems = stale_mo(entries, MO_PATH)
    assert problems == [], "the .mo is stale: run `manage.py compilemessages --ignore=.venv`"


def test_a_stale_compiled_catalogue_is_detected(entries):
    changed = [dataclasses.replace(entry, msgstr=dict(entry.msgstr)) for entry in entries]
    singular = next(entry for entry in changed if not entry.is_header and entry.msgid_plural is None)
    plural = next(entry for entry in changed if entry.msgid_plural is not None)
    singular.msgstr[0] += " (changed)"
    plural.msgstr[1] += " (changed)"
    removed = changed.pop(next(i for i, entry in enumerate(changed) if entry.msgid == "Tableau de bord"))
    changed.append(Entry(msgid="Une phrase ajoutée", msgstr={0: "An added sentence"}))
    problems = "\n".join(stale_mo(changed, MO_PATH))
    assert f"{singular.label}: the .mo says" in problems
    assert f"{plural.label}: for n=" in problems
    assert f"a message the .po no longer has: {removed.msgid}" in problems
    assert "lacks a message of the .po: Une phrase ajoutée" in problems


# --- The catalogue holds every message of the code ----------------------------------------------------------


def test_the_catalogue_is_in_sync_with_the_code(entries, tmp_path):
    """`makemessages` on a copy of the code finds exactly the messages of the catalogue."""
    if not shutil.which("xgettext"):
        pytest.fail("GNU gettext is needed (apt-get install gettext)")
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "node_modules", "__pycache__", ".ruff_cache", "locale", "media", "test-artifacts",
            *MAKEMESSAGES_IGNORES,
        ),
    )  # fmt: skip
    (copy / "locale").mkdir()
    ignores = [f"--ignore={pattern}" for pattern in MAKEMESSAGES_IGNORES]
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", *ignores, "--verbosity=0"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    fresh = parse_po((copy / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))

    def keys(found):
        return {(entry.msgctxt, entry.msgid, entry.msgid_plural) for entry in found if not entry.is_header}

    missing, unused = keys(fresh) - keys(entries), keys(entries) - keys(fresh)
    assert (missing, unused) == (set(), set()), (
        "run the README's `makemessages` command, translate the new entries, then `compilemessages`"
    )


# --- (d): English at run time ---------------------------------------------------------------------------


def test_key_strings_are_in_english_when_english_is_active():
    from candidates.enums import LocalServiceKind
    from candidates.models import LocalService

    with translation.override("en"):
        assert translation.gettext("Tableau de bord") == "Dashboard"
        assert translation.gettext("Se connecter") == "Log in"
        assert translation.gettext("Se déconnecter") == "Log out"
        assert translation.gettext("Mot de passe") == "Password"
        assert translation.gettext("Mon espace") == "My space"
        assert translation.gettext("organisme de certification") == "certification body"
        message = "%(count)d service local n’a pas encore de référent"
        plural = "%(count)d services locaux n’ont pas encore de référent"
        assert (
            translation.ngettext(message, plural, 1) % {"count": 1}
            == "1 local service has no designated contact yet"
        )
        assert translation.ngettext(message, plural, 3) % {"count": 3} == (
            "3 local services have no designated contact yet"
        )
        assert str(LocalService._meta.verbose_name) == "local public service"
        assert str(LocalServiceKind.COMMUNE.label) == "Municipality"
    with translation.override("fr"):
        assert translation.gettext("Tableau de bord") == "Tableau de bord"
        assert str(LocalServiceKind.COMMUNE.label) == "Commune"


@pytest.mark.django_db
def test_the_home_page_is_in_english_with_the_language_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="en"' in html
    assert "Log in" in html and "Create an account" in html
    assert "Interministerial Directorate for Public Transformation (DITP)" in html
    assert "Se connecter" not in html


@pytest.mark.django_db
def test_the_home_page_stays_in_french_by_default(client):
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="fr"' in html
    assert "Se connecter" in html and "Log in" not in html
