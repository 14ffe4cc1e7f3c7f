"""GB 32100-2015 credit codes."""

import pytest

from builder import creditcode

VALID = ["91350100M000100Y43", "91110000600037341L", "121200004013590816", "91310115MA1K3BTP2B",
         "91440300568520498A", "92340602MA2PBMEM24"]


@pytest.mark.parametrize("code", VALID)
def test_known_valid_codes_pass(code: str) -> None:
    assert creditcode.is_valid(code)


def test_wrong_check_character_is_named() -> None:
    assert creditcode.problem("91350100M000100Y4Z") == ("characters not allowed in a credit code: Z (I, O, S, V and "
                                                        "Z are never used)")
    message = creditcode.problem("91350100M000100Y44")
    assert message == "check character is 4, the checksum requires 3; a character is probably mistyped"


def test_normalisation_of_full_width_spaces_hyphens_and_case() -> None:
    assert creditcode.normalise("９１３５ ０１００-m000100y43") == "91350100M000100Y43"
    assert creditcode.is_valid("９１３５ ０１００-m000100y43")


def test_letters_use_their_index_in_the_alphabet_not_ord() -> None:
    # The common bug maps letters as ord(c) - 55 (A=10 ... Y=34); the standard skips I, O, S, V, Z.
    body = "91310115MA1K3BTP2"
    assert creditcode.check_character(body) == "B"


@pytest.mark.parametrize("code, words", [
    ("9135010", "18 characters"),
    ("91350100M000100YI3", "not allowed"),
    ("9135A100M000100Y43", "must be digits"),
])
def test_problems_say_what_is_wrong(code: str, words: str) -> None:
    assert words in (creditcode.problem(code) or "")
