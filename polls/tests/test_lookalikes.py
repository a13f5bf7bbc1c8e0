"""Choices that look alike or look empty (issue 21): the admin refuses them; controls never reach a page."""

import pytest

from polls.models import Question
from polls.text import comparable, mixed_script_word, shown

from .admin_helpers import ADD_URL, errors_of, question_data

pytestmark = pytest.mark.django_db

ZERO_WIDTH_SPACE, ZERO_WIDTH_JOINER, WORD_JOINER = "\u200b", "\u200d", "\u2060"
RIGHT_TO_LEFT_OVERRIDE, POP_DIRECTIONAL_FORMATTING = "\u202e", "\u202c"
CYRILLIC_E = "\u0435"


def post_choices(editor, *texts):
    return editor.post(ADD_URL, question_data([{"choice_text": text} for text in texts]))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Café", "Cafe\u0301"),  # precomposed é, and e with a combining acute accent
        ("Yes", f"Y{ZERO_WIDTH_SPACE}es"),
        ("Yes", f"Yes{WORD_JOINER}"),
        ("No", f"{RIGHT_TO_LEFT_OVERRIDE}No{POP_DIRECTIONAL_FORMATTING}"),
        ("ﬁne", "fine"),  # the fi ligature
        ("Ｙｅｓ", "Yes"),  # fullwidth letters
    ],
    ids=["decomposed accent", "zero-width space", "word joiner", "bidi override", "ligature", "fullwidth"],
)
def test_choices_that_look_the_same_are_refused(editor, first, second):
    response = post_choices(editor, first, second)
    assert any("are the same choice" in message for message in errors_of(response))
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    "invisible",
    [ZERO_WIDTH_SPACE, ZERO_WIDTH_SPACE * 3 + ZERO_WIDTH_JOINER, RIGHT_TO_LEFT_OVERRIDE, "\u00ad"],
    ids=["zero-width space", "zero-width run", "bidi override alone", "soft hyphen"],
)
def test_a_choice_that_shows_nothing_is_refused(editor, invisible):
    response = post_choices(editor, "Yes", invisible, "No")
    assert "This choice shows nothing: type some visible text." in errors_of(response)
    assert not Question.objects.exists()


def test_a_word_mixing_latin_and_cyrillic_letters_is_refused(editor):
    response = post_choices(editor, "Yes", f"Y{CYRILLIC_E}s")
    assert f"“y{CYRILLIC_E}s” mixes Latin, Greek or Cyrillic letters, so it can look like another word." in (
        errors_of(response)
    )


def test_choices_in_one_script_each_are_welcome(editor, client):
    response = post_choices(editor, "Yes", "Да", "Ναι", "Café", "👨‍👩‍👧 family")
    assert response.status_code == 302, errors_of(response)
    texts = list(Question.objects.get().choices.values_list("choice_text", flat=True))
    assert texts == ["Yes", "Да", "Ναι", "Café", "👨‍👩‍👧 family"]


def test_bidirectional_controls_are_stripped_from_what_is_saved_and_shown(editor, client):
    response = post_choices(editor, f"{RIGHT_TO_LEFT_OVERRIDE}seY{POP_DIRECTIONAL_FORMATTING}", "No")
    assert response.status_code == 302, errors_of(response)
    question = Question.objects.get()
    assert list(question.choices.values_list("choice_text", flat=True)) == ["seY", "No"]
    page = client.get(question.get_absolute_url()).text
    assert RIGHT_TO_LEFT_OVERRIDE not in page
    assert POP_DIRECTIONAL_FORMATTING not in page


def test_the_rules_in_one_place():
    assert comparable("  Cafe\u0301\u200b  AU  LAIT ") == comparable("café au lait") == "café au lait"
    assert shown(f" {RIGHT_TO_LEFT_OVERRIDE}abc\u2066 ") == "abc"
    assert mixed_script_word("Да and Yes") is None
    assert mixed_script_word(f"say Y{CYRILLIC_E}s") == f"y{CYRILLIC_E}s"
