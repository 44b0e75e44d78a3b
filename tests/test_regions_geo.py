"""The counties' real outlines (from the vendored map package): which county a point is in,
points drawn inside a county, and every county of the city has its outline."""

import random

from django.test import SimpleTestCase

from carepair.regions import geo
from carepair.regions.leshan import COUNTIES


class OutlineTests(SimpleTestCase):
    def test_every_county_has_an_outline_and_the_high_tech_zone_shares_shizhongs(self):
        outlines = geo.outlines()
        self.assertEqual(set(outlines), {code[:6] for code, _ in COUNTIES})
        self.assertIs(outlines["511171"], outlines["511102"])
        self.assertEqual(geo.outline_name("511171"), "市中区")

    def test_points_are_placed_in_the_county_they_lie_in(self):
        # County seats, as a map shows them; and the sea off Shanghai.
        self.assertEqual(geo.county_of(29.5526, 103.7664), "511102")  # 市中区 (嘉州)
        self.assertEqual(geo.county_of(29.6011, 103.4845), "511181")  # 峨眉山市 (绥山)
        self.assertEqual(geo.county_of(28.8352, 103.5463), "511133")  # 马边 (民建)
        self.assertEqual(geo.county_of(29.2081, 103.9493), "511123")  # 犍为 (玉津)
        self.assertIsNone(geo.county_of(31.0, 122.5))

    def test_a_point_is_not_in_two_counties(self):
        rng = random.Random(7)
        for _ in range(200):
            lat, lon = geo.place("511129", rng)
            owners = [c for c in geo.outlines() if c != "511171" and geo.contains(c, lat, lon)]
            self.assertEqual(owners, ["511129"])

    def test_points_drawn_near_a_seat_stay_within_the_distance_and_the_county(self):
        rng = random.Random(3)
        seat = (29.5526, 103.7664)
        for _ in range(100):
            lat, lon = geo.place("511102", rng, near=seat, within_m=2000)
            self.assertLessEqual(geo.distance_m(lat, lon, *seat), 2000)
            self.assertTrue(geo.contains("511102", lat, lon))

    def test_the_bounds_hold_the_outline(self):
        low_lat, low_lon, high_lat, high_lon = geo.bounds("511133")
        self.assertTrue(low_lat < 28.84 < high_lat and low_lon < 103.55 < high_lon)
        self.assertAlmostEqual(geo.distance_m(29.0, 103.0, 29.0, 104.0) / 1000, 97.3, delta=0.5)
