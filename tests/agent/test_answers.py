"""The local brain answers from the website without inventing: rules that hold on any site."""

from __future__ import annotations

from receptionist.agent.local import Intent, understand
from receptionist.agent.local.answers import affirms, best_sentences

PASSAGES = [{"source": "Home", "quote": (
    "We provide honest, fixed-rate quotes so there are no surprises. "
    "We offer emergency call-out services across the county. "
    "All our shampoos are natural products, kind to sensitive skin.")}]


def test_a_telling_word_no_passage_has_means_no_answer() -> None:
    # "hourly" is nowhere on the site: a sentence about "fixed-rate" quotes is no answer
    assert best_sentences("What's your hourly rate?", PASSAGES) is None
    # ...but the other words together still find what the site does say
    found = best_sentences("Are the shampoos and products you use natural?", PASSAGES)
    assert found is not None and "natural products" in found


def test_yes_when_the_site_states_what_was_asked() -> None:
    answer = "We offer emergency call-out services across the county."
    assert affirms("Do you do emergency call-outs?", answer)
    assert not affirms("Do you do emergency call-outs?", "We don't offer emergency call-outs.")
    assert not affirms("Do you do boiler servicing?", answer)  # not what it says
    assert not affirms("Is there parking at the clinic?", "15 minutes from Hinjewadi IT Park "
                       "to the clinic.")  # "is there …" is not confirmed by word matches
    assert not affirms("Do I need an appointment or can I walk in?", "Walk-ins welcome.")


def test_questions_about_appointments_are_not_booking_requests() -> None:
    assert Intent.BOOK not in understand("How long does each root canal appointment take?").intents
    assert Intent.BOOK not in understand("Do I need an appointment or can I just walk in?").intents
    assert Intent.BOOK in understand("Can I book an appointment for Tuesday?").intents
    assert Intent.BOOK in understand("I'd like to book a cleaning next Tuesday at 10").intents


def test_who_is_answered_only_by_a_sentence_naming_someone() -> None:
    staff = [{"source": "About", "quote": (
        "Our dentists care for the whole family. "
        "Dr. Prachi Shah is our lead dentist, with twelve years in practice.")}]
    found = best_sentences("Who's the dentist there?", staff, strict=True)
    assert found is not None and "Prachi Shah is our lead dentist" in found
    assert best_sentences("Who's the dentist there?", PASSAGES, strict=True) is None


def test_the_business_name_tells_nothing() -> None:
    site = [{"source": "Home", "quote": "Bright Dental Clinic is 15 minutes from the station."}]
    assert best_sentences("Is there parking at the clinic?", site,
                          business="Bright Dental Clinic") is None


def test_a_how_much_question_is_answered_by_the_sentence_with_the_amount() -> None:
    site = [{"source": "FAQ", "quote": "The cost of a filling depends on the tooth."},
            {"source": "Home", "quote": "A composite filling costs between $90 and $250."}]
    found = best_sentences("How much does a filling cost?", site)
    assert found == "A composite filling costs between $90 and $250."
    # and a menu line with its price on the next line reads both
    menu = [{"source": "Menu", "quote": "Warm apple pie with vanilla ice cream\n$4.75\nReviews"}]
    found = best_sentences("How much is the apple pie?", menu)
    assert found is not None and "$4.75" in found and "apple pie" in found


def test_a_how_long_question_is_answered_by_the_sentence_with_the_number() -> None:
    site = [{"source": "FAQ", "quote": "A full groom is gentle on your dog."},
            {"source": "Home", "quote": "Allow about 2 to 3 hours for a full groom."}]
    found = best_sentences("How long does a full groom take?", site)
    assert found is not None and "2 to 3 hours" in found


def test_spoken_fillers_are_not_telling_words_the_site_lacks() -> None:
    site = [{"source": "Fees", "quote": "A simple will costs £150 plus VAT."}]
    # even when the search was unsure and every word must be there
    found = best_sentences("I need someone to do a simple will, what's that going to cost?", site,
                           strict=True)
    assert found is not None and "£150" in found


def test_markup_is_not_read_aloud() -> None:
    site = [{"source": "Fees", "quote": "**Our fees** A tribunal claim costs £6,000 to £9,000."}]
    found = best_sentences("What does a tribunal claim cost?", site)
    assert found is not None and "*" not in found and "£6,000" in found
    assert best_sentences("What does a tribunal claim cost?", [{"source": "Fees", "quote": (
        "A tribunal claim costs <sup>1</sup> £6,000.")}]) == "A tribunal claim costs 1 £6,000."


def test_a_yes_no_question_names_what_it_asks_about_and_the_site_must_hold_it() -> None:
    site = [{"source": "Legal", "quote": "We take on legal cases of every size in the County "
             "Court."}]
    assert best_sentences("Do you take legal aid cases?", site) is None  # "aid": nowhere
    assert best_sentences("Do you take legal cases?", site) is not None


def test_the_scene_set_before_a_question_is_not_asked_about() -> None:
    site = [{"source": "FAQ", "quote": "An EICR is a formal report on the wiring of a property."}]
    found = best_sentences("I'm a landlord. What's an EICR?", site)
    assert found is not None and "formal report" in found


def test_who_finds_a_name_with_initials() -> None:
    staff = [{"source": "About", "quote": "Dr J Edward Perkins has been our chiropractor since "
              "1989."}]
    found = best_sentences("Who's the chiropractor?", staff)
    assert found is not None and "Perkins" in found


def test_a_possessive_is_the_word_itself() -> None:
    site = [{"source": "Home", "quote": "You get a detailed report after each dog grooming."}]
    found = best_sentences("Do I get a report after my dog's groom?", site)
    assert found is not None and "report" in found


def test_a_verb_particle_names_nothing() -> None:
    site = [{"source": "Area", "quote": "We serve Beaverton, Hillsboro and Tigard."}]
    found = best_sentences("Do you come out to Beaverton?", site)
    assert found is not None and "Beaverton" in found


def test_an_amount_says_what_it_costs() -> None:
    # the fee line never says "cost", yet it is the answer to "what would it cost?"
    site = [{"source": "Unfair dismissal claims", "quote": (
        "A tribunal claim for unfair dismissal is brought by an employee.\n"
        "Less complex: £6,000 to £10,000* (+ VAT at 20%)")}]
    found = best_sentences("What would a straightforward unfair dismissal claim cost?", site)
    assert found is not None and "£6,000" in found


def test_a_list_of_questions_is_not_read_as_an_answer() -> None:
    faq = [{"source": "FAQ", "quote": "Do you provide free quotes?\nAre you insured?"}]
    assert best_sentences("Do you provide free quotes?", faq) is None


def test_a_title_does_not_end_a_sentence() -> None:
    from receptionist.core import split_sentences

    assert split_sentences("Dr. Perkins is our chiropractor. Mrs. Lee runs the office.") == [
        "Dr. Perkins is our chiropractor.", "Mrs. Lee runs the office."]
    found = best_sentences("Who's the chiropractor?", [{"source": "About", "quote": (
        "Book online.\nDr. Perkins is the only chiropractor in town with this certificate.")}])
    assert found is not None and found.startswith("Dr. Perkins")


def test_a_related_word_is_found_however_the_site_inflects_it() -> None:
    # "charge" meets "price" whatever the stemming makes of either
    site = [{"source": "Quotes", "quote": "We provide free, no-obligation quotes and the price we "
             "quote is the price you pay."}]
    found = best_sentences("Do you charge for a quote?", site)
    assert found is not None and "free" in found
    # ...but a "yes" needs the very words: the price of a quote does not say they charge for one
    assert not affirms("Do you charge for a quote?", "The price we quote is the price you pay.")


def test_words_are_read_as_the_search_reads_them() -> None:
    from knowledge.lexical import analyze
    from receptionist.agent.local.wording import content_words

    # one analyzer: the stems the search matched are the stems the answer is chosen by
    assert content_words("Leaking pipes, two hundred dollars") == set(
        analyze("Leaking pipes, two hundred dollars"))


def test_a_missing_word_needs_the_other_telling_words_not_every_word() -> None:
    # "winter" is nowhere, "stop" is not in the sentence: the page on freezing pipes still answers
    site = [{"source": "How to keep your pipes from freezing", "quote": (
        "Never thaw a pipe with an open flame. We thaw frozen pipes safely.")}]
    found = best_sentences("How do I stop my pipes freezing in winter?", site)
    assert found is not None and "thaw" in found


def test_who_finds_a_staff_list_line_and_the_person_a_page_is_about() -> None:
    staff = [{"source": "About", "quote": "Staff\n**Darline**: Office Manager\n"
              "**Megan**: Receptionist"}]
    found = best_sentences("Who would I talk to about my bill, do you have an office manager?",
                           staff, strict=True)
    assert found is not None and "Darline" in found
    page = [{"source": "Ian Stirzaker", "quote": "Ian is the firm's Senior Partner and Head of the "
             "Family Law Department."}]
    found = best_sentences("Who's the senior partner at the firm?", page)
    assert found is not None and found.startswith("Ian Stirzaker")
    about = [{"source": "About Us", "quote": "Founded by Adina Eide, the cafe is a cozy corner."}]
    found = best_sentences("Who started the cafe?", about, strict=True)
    assert found is not None and "Adina Eide" in found


def test_the_sentence_that_leads_into_the_best_one_is_read_with_it() -> None:
    faq = [{"source": "FAQ", "quote": "Do you offer fixed-price quotes?\nYes, we give fixed-rate "
            "quotes so there are no surprises. The price we quote is the price you pay."}]
    found = best_sentences("Is the price you quote the price I actually end up paying?", faq)
    assert found is not None and "fixed-rate" in found


def test_how_do_i_wants_a_way_to_do_it() -> None:
    site = [{"source": "Contact", "quote": "We offer catering for your special events. Whether "
             "it's a family gathering or a business meeting, we can help.\n"
             "For catering inquiries, please call us at (402) 759-4144."}]
    found = best_sentences("How do I set up catering for an event?", site)
    assert found is not None and "759-4144" in found


def test_a_long_fee_sentence_is_read_from_the_clause_with_the_amount() -> None:
    site = [{"source": "Debt recovery pricing", "quote": (
        "We will take your instructions, provide our engagement terms, review the documentation, "
        "comply with the Pre-Action Protocol where necessary and send a Letter Before Action to "
        "the debtor for the fixed sum of £50 + VAT at 20% (£10), and chase the debtor for you.")}]
    found = best_sentences("How much is it for you to send them a letter before action?", site)
    assert found is not None and "£50" in found


def test_free_is_a_price_but_tax_free_is_not() -> None:
    from receptionist.agent.local.answer_kinds import has_money

    assert has_money("We provide free, no-obligation quotes.")
    assert not has_money("We advise on the tax free allowances.")
    assert not has_money("A hassle-free, gluten-free menu.")
    assert not has_money("The employee is free to bring a claim to the Tribunal.")


def test_a_compound_holds_its_verb() -> None:
    site = [{"source": "Menu", "quote": "Add items to your cart and submit your order for pickup!"}]
    found = best_sentences("Can I order ahead and pick it up?", site, strict=True)
    assert found is not None and "pickup" in found


def test_the_fact_asked_for_is_read_after_its_lead() -> None:
    site = [{"source": "Contact", "quote": "We offer catering for your special events. Whether "
             "it's a family gathering, a business meeting or a community event, we can provide "
             "delicious homemade food that will delight your guests.\n"
             "For catering inquiries, please call us at (402) 759-4144."}]
    found = best_sentences("How do I set up catering for an event?", site)
    assert found is not None and "759-4144" in found


def test_a_footnote_is_read_with_the_sentence_it_marks() -> None:
    about = [{"source": "About", "quote": "He was awarded the degree of Naturopathic Medical "
              "Doctor (NMD).*"},
             {"source": "About", "quote": "Staff\n* He is not currently licenced as an NMD here."}]
    found = best_sentences("Can he see me as a naturopathic doctor too?", about)
    assert found is not None and "not currently licenced" in found


def test_what_year_wants_a_year_and_who_the_clause_that_asks() -> None:
    about = [{"source": "About", "quote": "After a three-year course, in 1995, he was awarded a "
              "diploma.\nHomedale Chiropractic – Established in 1988"}]
    found = best_sentences("What year was the practice established?", about)
    assert found is not None and "1988" in found
    policy = [{"source": "Our Complaints Procedure", "quote": (
        "Phone: 0300 555 0333\nThe time limit for referring a complaint to the Legal Ombudsman is "
        "one year.\nThe date of the act complained about counts.")}]
    found = best_sentences("If I'm not happy with my case, who can I complain to outside the "
                           "firm?", policy)
    assert found is not None and "Legal Ombudsman" in found and "Our Complaints" not in found


def test_a_footnote_mark_in_markup_is_still_a_mark() -> None:
    about = [{"source": "About", "quote": "He holds the degree of Naturopathic Medical Doctor "
              "(NMD).<sup>\\*</sup>"},
             {"source": "About", "quote": "Staff\n\\* He is not currently licenced as an NMD."}]
    found = best_sentences("Can he see me as a naturopathic doctor too?", about)
    assert found is not None and "not currently licenced" in found and "*" not in found


def test_is_the_price_asks_about_the_price_not_an_amount() -> None:
    from receptionist.agent.local.answer_kinds import Kind, question_kind

    assert question_kind("Is the price you quote the price I end up paying?") is None
    assert question_kind("Is there a fee for Gresham?") is Kind.MONEY
    assert question_kind("Do you charge for a quote?") is Kind.MONEY


def test_a_sentence_is_read_under_the_heading_it_sits_under() -> None:
    site = [{"source": "Home", "section": "Children's dentistry", "quote": (
        "Gentle care that builds good habits early. Recommended from age 4 to 6.")},
            {"source": "Home", "quote": "We are open every day of the week."}]
    found = best_sentences("What age should I first bring my kid in?", site)
    assert found is not None and "age 4 to 6" in found
    # without the heading nothing says the sentence is about children
    bare = [{"source": "Home", "quote": "Recommended from age 4 to 6."}]
    assert best_sentences("What age should I first bring my kid in?", bare) is None


def test_the_amount_after_a_long_lead_is_read_even_alone() -> None:
    site = [{"source": "Fees", "quote": (
        "We would also advise you which type of licence you need to apply for, complete every "
        "form the council requires and make the application to the licensing office for you.\n"
        "Licence application only: £300 - £600 + VAT at 20% Licence renewal: £150 + VAT")}]
    found = best_sentences("I need someone to sort out the licence, what's that going to cost?",
                           site)
    assert found is not None and "£300 - £600" in found and "renewal" not in found


def test_the_word_as_asked_beats_a_word_with_the_same_stem() -> None:
    site = [{"source": "Home", "quote": "We are ten minutes from Riverside Business Park."},
            {"source": "Visit", "quote": "There is free parking behind the building."}]
    found = best_sentences("Is there parking at the clinic?", site)
    assert found is not None and "free parking" in found
