"""Translation catalogues without GNU gettext: compile every .po to .mo with polib, or
check that each catalogue is complete and its .mo up to date (part of `make test`).

    python -m carepair.lib.messages --compile
    python -m carepair.lib.messages --check
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def catalogues() -> list[Path]:
    return sorted(ROOT.glob("**/locale/*/LC_MESSAGES/django.po"))


def problems_in(po_path: Path) -> list[str]:
    po = polib.pofile(str(po_path))
    found = []
    for entry in po:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            found.append(f"{po_path}: fuzzy: {entry.msgid!r}")
        elif not (entry.msgstr or any(entry.msgstr_plural.values())):
            found.append(f"{po_path}: untranslated: {entry.msgid!r}")
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        found.append(f"{mo_path}: missing; run `make messages`")
    else:
        compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(mo_path))}
        wanted = {(e.msgctxt, e.msgid): e.msgstr for e in po.translated_entries() if not e.obsolete}
        if compiled != wanted:
            found.append(f"{mo_path}: out of date; run `make messages`")
    return found


def main(argv: list[str]) -> int:
    if "--compile" in argv:
        for path in catalogues():
            polib.pofile(str(path)).save_as_mofile(str(path.with_suffix(".mo")))
            print(f"compiled {path.relative_to(ROOT.parent)}")
        return 0
    found = [p for path in catalogues() for p in problems_in(path)]
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
