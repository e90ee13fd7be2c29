"""The translation catalogs: every text in every required language, and a new language is a folder.

Pure: reads i18n/locales (and copies of it), no database.
"""

from __future__ import annotations

import shutil
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from i18n import LOCALES_DIR, Catalogs, negotiate_locale

REQUIRED = ("nb", "nn", "en")
REFERENCE = "nb"


def _catalogs(lang: str, root: Path = LOCALES_DIR) -> dict[str, Catalog]:
    folder = root / lang / "LC_MESSAGES"
    found = {}
    for path in sorted(folder.glob("*.po")):
        with path.open("rb") as fp:
            found[path.stem] = read_po(fp)
    return found


def _entries(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """msgid -> its texts (one, or one per plural form); fuzzy texts count as missing."""
    out = {}
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        texts = (message.string,) if isinstance(message.string, str) else tuple(message.string or ())
        out[msgid] = ("",) * len(texts) if message.fuzzy else texts
    return out


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def _languages() -> list[str]:
    return sorted(p.name for p in LOCALES_DIR.iterdir() if (p / "LC_MESSAGES").is_dir())


def test_the_required_languages_have_catalogs():
    assert set(REQUIRED) <= set(_languages())


@pytest.mark.parametrize("lang", REQUIRED)
def test_every_message_has_a_text_in_every_required_language(lang):
    reference = _catalogs(REFERENCE)
    catalogs = _catalogs(lang)
    assert set(catalogs) == set(reference), f"{lang}: domains differ from {REFERENCE}"
    problems = []
    for domain, ref_catalog in reference.items():
        catalog = catalogs[domain]
        entries = _entries(catalog)
        for msgid in _entries(ref_catalog):
            texts = entries.get(msgid)
            if texts is None:
                problems.append(f"{domain}: {msgid} is missing")
            elif not all(texts):
                problems.append(f"{domain}: {msgid} has an empty or fuzzy text")
            elif len(texts) > 1 and len(texts) != catalog.num_plurals:
                forms = f"{len(texts)} forms, Plural-Forms says {catalog.num_plurals}"
                problems.append(f"{domain}: {msgid} has {forms}")
    assert not problems, f"{lang}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", _languages())
def test_every_text_has_the_placeholders_of_the_reference_language_and_no_stray_ids(lang):
    reference = {d: _entries(c) for d, c in _catalogs(REFERENCE).items()}
    problems = []
    for domain, catalog in _catalogs(lang).items():
        ref = reference.get(domain, {})
        for msgid, texts in _entries(catalog).items():
            if msgid not in ref:
                problems.append(f"{domain}: {msgid} is not in {REFERENCE}")
                continue
            want = set().union(*(_placeholders(t) for t in ref[msgid]))
            for text in texts:
                if text and _placeholders(text) != want:
                    problems.append(f"{domain}: {msgid} uses {_placeholders(text)}, {REFERENCE} {want}")
    assert not problems, f"{lang}:\n" + "\n".join(problems)


def test_accept_language_picks_as_before():
    assert negotiate_locale(None) == "nb"
    assert negotiate_locale("") == "nb"
    assert negotiate_locale("no") == "nb"
    assert negotiate_locale("nn-NO") == "nn"
    assert negotiate_locale("en-US,en;q=0.9") == "en"
    assert negotiate_locale("de, en;q=0.2, nn;q=0.3") == "nn"
    assert negotiate_locale("de") == "nb"
    assert negotiate_locale("de", "en") == "en"
    assert negotiate_locale("se") == "nb"


def _add_language(root: Path, lang: str, like: str, name: str, position: int) -> Path:
    """A new language as a translator adds it: a copy of another's folder, retitled."""
    folder = root / lang / "LC_MESSAGES"
    shutil.copytree(root / like / "LC_MESSAGES", folder)
    for path in folder.glob("*.po"):
        text = path.read_text(encoding="utf-8").replace(f'"Language: {like}\\n"', f'"Language: {lang}\\n"')
        path.write_text(text, encoding="utf-8")
    portal = folder / "portal.po"
    text = portal.read_text(encoding="utf-8")
    text = text.replace('msgstr "English"', f'msgstr "{name}"').replace('msgstr "3"', f'msgstr "{position}"')
    portal.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def with_sami(tmp_path) -> Path:
    root = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, root)
    folder = _add_language(root, "se", "en", "Davvisámegiella", 4)
    # Northern Sami has a dual: three plural forms (one, two, other).
    portal = folder / "portal.po"
    text = portal.read_text(encoding="utf-8").replace(
        "nplurals=2; plural=(n != 1);", "nplurals=3; plural=(n == 1 ? 0 : n == 2 ? 1 : 2);"
    )
    text = text.replace(
        'msgstr[0] "{count} pupil(s) cannot be reached."\nmsgstr[1] "{count} pupil(s) cannot be reached."',
        'msgstr[0] "one: {count}"\nmsgstr[1] "two: {count}"\nmsgstr[2] "other: {count}"',
    )
    # A text the translator has not done yet.
    text = text.replace('msgstr "Sign out"', 'msgstr ""')
    portal.write_text(text, encoding="utf-8")
    return root


def test_a_new_language_folder_is_served_without_code_changes(with_sami):
    catalogs = Catalogs(with_sami)
    assert catalogs.locales == ("nb", "nn", "en", "se")
    assert catalogs.locale_names()["se"] == "Davvisámegiella"
    assert catalogs.negotiate_locale("se-NO, nb;q=0.5") == "se"
    assert catalogs.gettext("se", "push.missing_pupil.title", pupil="Ánde") == "Ánde is not at school"
    # Untranslated: the default language's text.
    assert catalogs.gettext("se", "portal.nav_logout") == "Logg ut"
    forms = [catalogs.ngettext("se", "portal.reach_unreachable", n, count=n) for n in (1, 2, 5)]
    assert forms == ["one: 1", "two: 2", "other: 5"]
    # The served catalogs are untouched.
    assert "se" not in Catalogs().locales


def test_plural_forms_follow_the_catalog(with_sami):
    catalogs = Catalogs(with_sami)
    one = catalogs.ngettext("nb", "portal.reach_unreachable", 1, count=1)
    many = catalogs.ngettext("nb", "portal.reach_unreachable", 2, count=2)
    assert (one, many) == ("1 elev(er) kan ikke nås.", "2 elev(er) kan ikke nås.")
