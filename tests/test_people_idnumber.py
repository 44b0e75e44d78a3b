"""Identity numbers (GB 11643-1999): known-good and known-bad numbers, 15-digit conversion,
normalisation, masking, and the vault they are kept in."""

import base64
import datetime

from cryptography.exceptions import InvalidTag
from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase, override_settings

from carepair.lib.vault import Vault, new_key, vault
from carepair.people.idnumber import InvalidIdNumber, check_character, from_15, mask, parse

TODAY = datetime.date(2026, 11, 29)


class IdNumberTest(SimpleTestCase):
    def test_the_standards_own_examples_are_valid(self):
        self.assertEqual(
            parse("11010519491231002X", TODAY).__dict__,
            {"number": "11010519491231002X", "birth_date": datetime.date(1949, 12, 31), "sex": "F"},
        )
        self.assertEqual(parse("440524188001010014", TODAY).sex, "M")

    def test_the_check_character_is_iso_7064_mod_11_2(self):
        self.assertEqual(check_character("11010519491231002"), "X")
        self.assertEqual(check_character("51110219450307002"), "5")

    def test_a_15_digit_number_is_converted_with_its_century_and_check(self):
        self.assertEqual(from_15("130503670401001"), "130503196704010016")
        parsed = parse("130503670401001", TODAY)
        self.assertEqual(parsed.number, "130503196704010016")
        self.assertEqual((parsed.birth_date, parsed.sex), (datetime.date(1967, 4, 1), "M"))

    def test_what_people_type_is_normalised(self):
        for typed in (
            "11010519491231002x",
            " 110105 19491231 002X ",
            "１１０１０５１９４９１２３１００２Ｘ",
            "110105-19491231-002x",
        ):
            with self.subTest(typed):
                self.assertEqual(parse(typed, TODAY).number, "11010519491231002X")

    def test_bad_numbers_are_refused_with_the_reason_in_chinese(self):
        cases = {
            "110105194912310021": "校验码不正确",  # one digit mistyped
            "11010519491231002": "应为 18 位",
            "1101051949123100211": "应为 18 位",
            "110105194913310025": "不是有效日期",  # month 13
            "110105194902300028": "不是有效日期",  # 30 February
            "110105203001010012": "不可能",  # born in the future
            "11010519491231002Y": "17 位数字",
            "1305036704010A1": "只能是数字",
            "": "为空",
        }
        for number, reason in cases.items():
            with self.subTest(number), self.assertRaises(InvalidIdNumber) as refused:
                parse(number, TODAY)
            self.assertIn(reason, str(refused.exception))

    def test_every_single_digit_substitution_is_caught(self):
        good = "511102194503070025"
        for i in range(17):
            for d in "0123456789":
                if d == good[i]:
                    continue
                typo = good[:i] + d + good[i + 1 :]
                with self.subTest(typo):
                    try:
                        parse(typo, TODAY)
                    except InvalidIdNumber:
                        continue
                    self.fail(f"{typo} passed")

    def test_masking_shows_the_first_six_and_last_four(self):
        self.assertEqual(mask("11010519491231002X"), "110105********002X")
        self.assertEqual(parse("11010519491231002X", TODAY).masked, "110105********002X")


class VaultTest(SimpleTestCase):
    def test_a_number_round_trips_and_is_not_stored_in_the_clear(self):
        keys = Vault(base64.urlsafe_b64decode(new_key()))
        sealed = keys.encrypt("11010519491231002X")
        self.assertNotIn("19491231", sealed)
        self.assertEqual(keys.decrypt(sealed), "11010519491231002X")
        # A fresh nonce every time: equal numbers do not give equal ciphers ...
        self.assertNotEqual(sealed, keys.encrypt("11010519491231002X"))
        # ... but equal digests, which is how a number is found.
        self.assertEqual(keys.digest("11010519491231002X"), keys.digest("11010519491231002X"))
        self.assertNotEqual(keys.digest("11010519491231002X"), keys.digest("440524188001010014"))

    def test_another_key_neither_reads_nor_finds(self):
        one = Vault(base64.urlsafe_b64decode(new_key()))
        two = Vault(base64.urlsafe_b64decode(new_key()))
        with self.assertRaises(InvalidTag):
            two.decrypt(one.encrypt("11010519491231002X"))
        self.assertNotEqual(one.digest("x"), two.digest("x"))

    def test_without_a_key_nothing_is_stored_in_the_clear(self):
        with (
            override_settings(CAREPAIR_PERSON_KEY="", DATA_DIR="/nonexistent/carepair"),
            self.assertRaises(ImproperlyConfigured) as refused,
        ):
            vault()
        self.assertIn("carepair keys create", str(refused.exception))


class UnusualDigitsTest(SimpleTestCase):
    def test_digits_of_other_scripts_are_refused_not_crashed_on(self):
        for number in (
            "11010519491231002²",
            "1101051949123100２X"[:-1] + "٣",
            "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",
        ):
            with self.subTest(number), self.assertRaises(InvalidIdNumber):
                parse(number, TODAY)
