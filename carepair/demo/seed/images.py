"""A few stand-in photos for the demo's activities and fixes (现场照片、整改照片).

They are drawn once into MEDIA_ROOT/demo/ (a courtyard: sky, hills, a two-storey home)
and shared by every seeded photo record, so the pages have something to show without
the demo shipping image files.
"""

from pathlib import Path

from django.conf import settings
from PIL import Image, ImageDraw

SKIES = [(170, 205, 235), (200, 220, 240), (235, 215, 190), (190, 215, 225)]
WALLS = [(236, 226, 204), (222, 222, 214), (244, 236, 220), (214, 200, 180)]
ROOFS = [(120, 70, 60), (80, 90, 110), (150, 60, 50), (90, 90, 90)]


def ensure() -> dict[str, list[tuple[str, int]]]:
    """The photos' storage names and sizes, drawing any that are missing."""
    folder = Path(settings.MEDIA_ROOT) / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    found: dict[str, list[tuple[str, int]]] = {"activity": [], "fix": []}
    for kind in found:
        for n in range(4):
            path = folder / f"{kind}-{n + 1}.jpg"
            if not path.exists():
                _draw(path, n, fixed=kind == "fix")
            found[kind].append((f"demo/{path.name}", path.stat().st_size))
    return found


def _draw(path: Path, n: int, fixed: bool) -> None:
    width, height = 640, 480
    image = Image.new("RGB", (width, height), SKIES[n])
    draw = ImageDraw.Draw(image)
    # Hills behind, a courtyard in front.
    draw.polygon([(0, 260), (160, 170), (330, 250), (480, 160), (640, 240), (640, 300), (0, 300)],
                 fill=(110, 150, 110))  # fmt: skip
    draw.rectangle([0, 300, width, height], fill=(180, 175, 160))
    # The home: walls, roof, windows and a door.
    left, top, right, bottom = 120, 170, 520, 380
    draw.rectangle([left, top, right, bottom], fill=WALLS[n], outline=(120, 110, 100), width=3)
    draw.polygon([(left - 20, top), (320, top - 70), (right + 20, top)], fill=ROOFS[n])
    for row in (200, 290):
        for x in range(150, 500, 70):
            draw.rectangle([x, row, x + 40, row + 50], fill=(120, 160, 190), outline=(90, 90, 90))
    draw.rectangle([300, 310, 340, 380], fill=(130, 90, 60))
    if fixed:
        # A fresh coat and a green tick for "after the fix" (整改后).
        draw.rectangle([left, bottom - 8, right, bottom], fill=(90, 140, 200))
        draw.line([(560, 80), (585, 110), (625, 50)], fill=(40, 150, 60), width=10)
    image.save(path, format="JPEG", quality=80)
