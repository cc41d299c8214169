"""The zh-hans catalogue is complete and compiled: no string shows in English to a Chinese
desk because somebody forgot to translate or to compile it."""

import ast
import gettext
import re
from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"


def _strings(block: str, keyword: str) -> str | None:
    """The text of one keyword of a .po entry, continuation lines joined and unescaped."""
    match = re.search(rf'^{keyword} (".*"\n(?:".*"\n)*)', block + "\n", re.M)
    if match is None:
        return None
    return "".join(ast.literal_eval(line) for line in match[1].splitlines())


def entries():
    """(context, msgid, msgstr, flags) of every entry but the header and plural ones."""
    text = (CATALOGUE / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        msgid = _strings(block, "msgid")
        if not msgid or "msgid_plural" in block or block.lstrip().startswith("#~"):
            continue
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        yield _strings(block, "msgctxt"), msgid, _strings(block, "msgstr"), flags


def test_every_string_is_translated_and_none_is_fuzzy():
    rows = list(entries())

    assert len(rows) > 600
    assert [msgid for _, msgid, msgstr, _ in rows if not msgstr] == []
    assert [msgid for _, msgid, _, flags in rows if "fuzzy" in flags] == []


def test_the_compiled_catalogue_says_what_its_source_says():
    with open(CATALOGUE / "django.mo", "rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog

    stale = [
        msgid
        for context, msgid, msgstr, _ in entries()
        if catalog.get(f"{context}\x04{msgid}" if context else msgid) != msgstr
    ]

    assert stale == [], "run `make messages` to compile the catalogue"
