"""The front-end files served by the app are exactly those of the pinned npm packages."""

import hashlib
import json
import re
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "carepair" / "lib" / "static" / "vendor"


class VendoredFilesTest(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manifest = json.loads((VENDOR / "manifest.json").read_text())["files"]

    def test_every_vendored_file_matches_its_manifest_hash(self):
        for name, entry in self.manifest.items():
            with self.subTest(name):
                digest = hashlib.sha256((VENDOR / name).read_bytes()).hexdigest()
                self.assertEqual(digest, entry["sha256"])

    def test_no_file_is_vendored_outside_the_manifest(self):
        on_disk = {
            str(p.relative_to(VENDOR))
            for p in VENDOR.rglob("*")
            if p.is_file() and p.name != "manifest.json"
        }
        self.assertEqual(on_disk, set(self.manifest))

    def test_manifest_versions_are_those_pinned_in_package_lock(self):
        lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
        declared = json.loads((ROOT / "package.json").read_text())["dependencies"]
        for name, entry in self.manifest.items():
            with self.subTest(name):
                package, _, version = entry["package"].rpartition("@")
                self.assertEqual(lock[f"node_modules/{package}"]["version"], version)
                # Exact pins: `npm install` must not drift to a newer release.
                self.assertEqual(declared[package], version)

    def test_the_font_stylesheet_names_only_vendored_woff2_files(self):
        css = (VENDOR / "noto-sans-sc" / "noto-sans-sc.css").read_text()
        urls = set(re.findall(r"url\(([^)]+)\)", css))
        self.assertTrue(urls)
        for url in urls:
            self.assertTrue(url.startswith("files/") and url.endswith(".woff2"), url)
            self.assertIn(f"noto-sans-sc/{url}", self.manifest)
        self.assertIn("font-weight: 400", css)
        self.assertIn("font-weight: 700", css)
