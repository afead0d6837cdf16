"""'Already checked' matching on short sentences: paraphrases match, near-misses do not."""
import pytest

from annotations.matching import is_same_claim, match_keys, similarity


@pytest.mark.parametrize(("first", "second"), [
    ("The council spent 3 million pounds on roads in 2025.", "In 2025 the council spent 3 million pounds on roads."),
    ("Prices rose 4 percent in June.", "In June prices increased 4 percent."),
    ("The port handled 12,500 ships.", "The port handled 12500 ships."),
    ("“We will win,” she said.", "We will win"),
])
def test_rewordings_of_one_claim_match(first, second):
    assert is_same_claim(first, second)


@pytest.mark.parametrize(("first", "second"), [
    ("Prices rose 4 percent in June.", "Prices rose 5 percent in June."),
    ("Prices rose 4 percent in June.", "Prices did not rise 4 percent in June."),
    ("The port handled 12,500 ships.", "The port handled 12,500 containers."),
    ("Sales doubled since 2020.", "Sales halved since 2020."),
])
def test_near_misses_do_not_match(first, second):
    assert not is_same_claim(first, second)


def test_a_claim_is_indexed_under_its_content_words_and_figures():
    assert match_keys("The port handled 12,500 ships in 2025.") == ["#12500", "#2025", "handl", "port", "ship"]


def test_similarity_is_symmetric_and_bounded():
    first, second = "The mayor opened the new bridge.", "The new bridge was opened by the mayor today."
    assert similarity(first, second) == similarity(second, first)
    assert 0 < similarity(first, second) <= 1
