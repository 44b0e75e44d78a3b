"""Fill empty or fuzzy entries of the zh_Hans catalogues from a JSON file of
{msgid: msgstr}, then compile: `python scripts/fill_messages.py TRANSLATIONS.json`.
A helper for translators; `make test` checks that nothing is left untranslated."""

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent / "carepair"


def main(path: str) -> int:
    wanted = json.loads(Path(path).read_text(encoding="utf-8"))
    for po_path in sorted(ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po")):
        po = polib.pofile(str(po_path))
        filled = 0
        for entry in po:
            empty = not (entry.msgstr or any(entry.msgstr_plural.values()))
            if entry.msgid in wanted and (empty or "fuzzy" in entry.flags):
                if entry.msgid_plural:
                    entry.msgstr_plural = {0: wanted[entry.msgid]}  # Chinese has one form
                else:
                    entry.msgstr = wanted[entry.msgid]
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
                entry.previous_msgid = None
                entry.previous_msgctxt = None
                filled += 1
        if filled:
            po.save(str(po_path))
            po.save_as_mofile(str(po_path.with_suffix(".mo")))
            print(f"{po_path.relative_to(ROOT.parent)}: {filled} filled")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
