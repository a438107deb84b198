"""The business's words that bias recognition (pure)."""

from __future__ import annotations

from receptionist.speech import (
    business_vocabulary,
    proper_phrases,
    snap_to_vocabulary,
    vocabulary_prompt,
)


def test_proper_phrases_are_names_not_sentence_starts() -> None:
    text = "We accept Delta Dental, Cigna and MetLife. Call us Monday. The Smile Studio is near."
    assert proper_phrases(text) == ["Delta Dental", "Cigna", "MetLife", "Smile Studio"]


def test_business_vocabulary_orders_and_dedupes() -> None:
    words = business_vocabulary(
        "Bright Smile Dental", services=["Cleaning", "cleaning", "Root canal"],
        staff=["Dr. Priya Patel"], address="1420 Oak Ridge Road, Springfield, IL 62704",
        texts=["We take Delta Dental and Aetna.", "Bright Smile Dental is a family practice."])
    assert words == ["Bright Smile Dental", "Cleaning", "Root canal", "Dr. Priya Patel",
                     "Oak Ridge Road", "Springfield", "Delta Dental", "Aetna"]
    assert business_vocabulary("X", services=[f"s{i}" for i in range(60)], limit=5) \
        == ["X", "s0", "s1", "s2", "s3"]


def test_prompt_is_a_comma_list_with_the_turn_extra() -> None:
    assert vocabulary_prompt(["Bright Smile Dental", "Delta Dental"], "Cleaning?") \
        == "Bright Smile Dental, Delta Dental. Cleaning?"
    assert vocabulary_prompt([]) is None


def test_near_misses_of_the_business_terms_are_respelled() -> None:
    words = ["Bright Smile Dental", "Delta Dental", "Drain cleaning", "Cigna"]
    assert snap_to_vocabulary("Do you take Delta mental?", words) == "Do you take Delta Dental?"
    assert snap_to_vocabulary("Do you take Delta Mantle?", words) == "Do you take Delta Dental?"
    assert snap_to_vocabulary("I'd like to welcome rain-cleaning next Tuesday.", words) \
        == "I'd like to welcome Drain cleaning next Tuesday."
    # far from any term, or sharing no word with it: untouched
    assert snap_to_vocabulary("Do you make milk again?", words) == "Do you make milk again?"
    assert snap_to_vocabulary("Do you take signal?", words) == "Do you take signal?"
    assert snap_to_vocabulary("Delta Dental it is.", words) == "Delta Dental it is."
    assert snap_to_vocabulary("anything", []) == "anything"


def test_words_that_spell_one_term_are_not_respelled_as_another() -> None:
    words = ["Water heater repair", "Leak repair"]
    assert snap_to_vocabulary("How much for a water heater repair?", words) \
        == "How much for a water heater repair?"
    assert snap_to_vocabulary("A leek repair, please.", words) == "A Leak repair, please."
