"""The business's words that bias recognition (pure)."""

from __future__ import annotations

from receptionist.speech import (
    CALLER_QUESTION,
    bias_lexicon,
    business_vocabulary,
    naming_sentences,
    pick_hypothesis,
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


def test_lone_sentence_starts_titles_and_dates_are_not_names() -> None:
    text = ("Early appointments are available. Any questions? Updated May 2026. Dr. Prachi "
            "Gupta Garg leads the clinic. Signs You Need Root Canal Treatment Now")
    assert proper_phrases(text) == ["Prachi Gupta Garg"]
    assert proper_phrases("Cigna is accepted. We also take Cigna.") == ["Cigna"]


def test_naming_sentences_are_the_ones_that_name_payers_staff_and_places() -> None:
    pages = ["Our Services\nWe accept UPI, GPay and PhonePe. Teeth Whitening Offers.",
             "Dr. Prachi Gupta Garg is our lead dentist. Book Now"]
    assert naming_sentences(pages) == ["We accept UPI, GPay and PhonePe",
                                       "Dr. Prachi Gupta Garg is our lead dentist"]
    assert naming_sentences(pages, max_chars=10) == ["We accept UPI, GPay and PhonePe"]


def test_a_word_of_a_listed_term_is_not_listed_again() -> None:
    assert business_vocabulary("Aesthetica Dental Clinic", services=["Root Canal Treatment"],
                               texts=["Root canal pain? Aesthetica Dental is near Wakad."]) \
        == ["Aesthetica Dental Clinic", "Root Canal Treatment", "Aesthetica Dental", "Wakad"]


def test_the_prompt_ends_with_the_question_and_is_cut_in_the_list() -> None:
    assert vocabulary_prompt(["Acme"], question=CALLER_QUESTION) \
        == "Acme. How can I help you today?"
    assert vocabulary_prompt(["Acme"], "Your name?", question=CALLER_QUESTION) \
        == "Acme. Your name?"
    long = vocabulary_prompt(["word"] * 1000, question=CALLER_QUESTION) or ""
    assert len(long) <= 600 and long.endswith(" How can I help you today?")


def test_the_hypothesis_with_the_business_and_caller_words_wins_a_near_tie() -> None:
    lexicon = bias_lexicon(["Bright Smile Dental", "Teeth cleaning"])
    assert {"bright", "smile", "dental", "teeth", "cleaning", "tuesday"} <= lexicon
    near = [(-0.72, "I'd like to walk a cleaning next to the event."),
            (-0.78, "I'd like to walk a cleaning next Tuesday at 10.")]
    assert pick_hypothesis(near, lexicon) == 1
    far = [(-0.30, "My kitchen sink is leaking."), (-1.20, "My Tuesday dental cleaning.")]
    assert pick_hypothesis(far, lexicon) == 0
    assert pick_hypothesis(near[:1], lexicon) == 0
