"""The local brain's small helpers: the tool runner that records every call, the reply it
gives, and reading website text aloud. What it remembers of a call is in ``dialog``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from receptionist.agent.ports import CallContext, ToolBox, ToolCall, ToolResult
from receptionist.agent.spoken import first_sentences, split_sentences
from receptionist.agent.untrusted import looks_like_instruction

__all__ = [
    "Said",
    "ToolRun",
    "a",
    "affirms",
    "best_sentences",
    "content_words",
    "on",
    "plain_name",
    "said",
    "say_of",
]

_WORD = re.compile(r"[a-z0-9']+")
_STOPWORDS = {
    "a", "an", "the", "do", "does", "you", "your", "i", "me", "my", "is", "are", "can", "what",
    "how", "to", "of", "for", "in", "on", "and", "or", "it", "we", "us", "our", "have", "has",
    "be", "with", "at", "this", "that", "there", "any", "if", "about", "would", "could",
    "please", "like", "want", "need", "know", "tell", "much", "many", "when", "where", "who",
    "somewhere", "anywhere", "something", "anything", "place", "get", "go", "way", "thing",
    "things", "really", "just", "also", "still", "ok", "okay", "yes", "no", "hi", "hello", "um",
    "uh", "guys", "thanks", "thank", "i'm", "i'd", "it's", "there's", "what's", "who's", "should",
    "will", "did", "am", "was", "were", "been", "being", "which", "why", "some", "all", "one",
    # spoken fillers: a caller says them, a website does not, so they must not count as
    # telling words the site lacks ("someone", "going to", "roughly", "actually")
    "someone", "somebody", "going", "gonna", "roughly", "actually", "exactly", "fairly",
    "properly", "basically", "probably", "maybe", "kind", "sort", "say", "said", "end", "up",
}


@dataclass(frozen=True)
class Said:
    text: str
    action: str | None = None


class ToolRun:
    """Runs tools for one reply and keeps the (call, result) pairs for the ``BrainReply``."""

    def __init__(self, tools: ToolBox, ctx: CallContext) -> None:
        self.tools = tools
        self.ctx = ctx
        self.calls: list[tuple[ToolCall, ToolResult]] = []

    async def __call__(self, tool: str, /, **arguments: Any) -> ToolResult:
        call = ToolCall(call_id=f"local_{len(self.calls) + 1}", name=tool, arguments=arguments)
        result = await self.tools.run(self.ctx, call)
        self.calls.append((call, result))
        return result


def said(text: str, action: str | None = None) -> Said:
    return Said(text, action)


def say_of(result: ToolResult, default: str) -> str:
    say = result.data.get("say")
    return str(say) if say else default


def plain_name(service: str) -> str:
    """A service as said in a sentence: "Emergency call-out (nights)" → "emergency call-out"."""
    return re.sub(r"\s*\(.*?\)", "", service).strip().lower()


def a(service: str) -> str:
    """ "a drain cleaning", "an emergency call-out"."""
    name = plain_name(service)
    return f"an {name}" if name[:1] in "aeiou" else f"a {name}"


def on(label: str) -> str:
    """ "on Tuesday the 9th at 3 pm", but "tomorrow at 3 pm"."""
    return label if label.startswith(("today", "tomorrow", "on ")) else f"on {label}"


def best_sentences(question: str, passages: list[dict[str, Any]], max_chars: int = 220, *,
                   strict: bool = False, business: str = "") -> str | None:
    """The sentences of the passages that best answer ``question``, or None when none shares
    enough of its words (a search can rank an unrelated page first). ``strict``: the search
    itself was unsure, so every word of the question must be there (said some way).

    A sentence is judged with the one after it (an answer often spans two) and under its
    page's title; words every page uses ("business", "work") do not count."""
    # the business's own name ("Aesthetica Dental Clinic") is on every page: it tells nothing
    q = content_words(asked_part(question)) - _GENERIC - content_words(business)
    who = bool(_WHO.match(question.strip()))  # "who's the dentist?": a sentence naming someone
    kind = question_kind(question)
    if not q or (strict and len(q) < 2 and not who):
        return None
    pool: dict[tuple[int, int], str] = {}
    words: dict[tuple[int, int], set[str]] = {}
    for p_index, passage in enumerate(passages):
        title = content_words(str(passage.get("source", "")).split("|")[0])
        for s_index, sentence in enumerate(_pieces(str(passage.get("quote", "")))):
            if not looks_like_instruction(sentence) and "http" not in sentence.lower():
                pool[(p_index, s_index)] = sentence
                words[(p_index, s_index)] = content_words(sentence) | title
    needed = len(q) if strict else max(1, (len(q) + 1) // 2)
    # A telling word of the question that no passage has, said no way ("hourly" rate): what was
    # found may be about something else, so the sentence must hold every other word, and two
    # at least ("natural" "products" for "natural shampoos and products", not "rate" alone).
    # a yes/no question names the very thing it asks about ("legal aid", "wisdom teeth"): a
    # word of it that no passage holds means the site does not say, whatever else matches
    telling = 3 if _YES_NO.match(_unprefixed(question)) else _TELLING
    absent = {w for w in q if len(w) >= telling and not (telling == 3 and w in _PARTICLES)
              and not any(_has(ws, w) for ws in words.values())}
    if absent and telling == 3:
        return None
    if absent:
        needed = max(needed if strict else 0, 2, len(q - absent))
    # a word found in few sentences tells more than one found everywhere
    spread = {w: max(1, sum(1 for ws in words.values() if _has(ws, w))) for w in q}
    scored: list[tuple[float, int, int]] = []
    for (p_index, s_index), sentence in pool.items():
        if not _speakable(sentence) or (who and not _PERSON.search(sentence)):
            continue
        if sentence.endswith("?") and pool.get((p_index, s_index + 1), "?").endswith("?"):
            continue  # a list of questions (a FAQ's index): no answer to read
        alone = {w for w in q if _has(words[(p_index, s_index)], w)}
        if kind == "money" and _MONEY.search(sentence):  # "£6,000 to £10,000" says what it costs
            alone |= q & _MONEY_WORDS
        pair = alone | {w for w in q if _has(words.get((p_index, s_index + 1), set()), w)}
        hits, penalty = (alone, 0.0) if len(alone) >= len(pair) else (pair, 0.6)
        if len(hits) < needed:
            continue
        weight = sum(1 / spread[w] for w in hits) + len(hits) - penalty
        prose = 0.5 if sentence.endswith((".", "!")) else 0.0
        fits = _fits_kind(kind, sentence, pool.get((p_index, s_index + 1), ""))
        scored.append((weight + prose + fits - p_index * 0.1, p_index, s_index))
    if not scored:
        return None
    _, p_best, s_best = max(scored, key=lambda s: (s[0], -s[1], -s[2]))
    text = pool[(p_best, s_best)]
    if text.endswith("?") and (p_best, s_best + 1) in pool:  # a FAQ's question: read its answer
        s_best += 1
        text = pool[(p_best, s_best)]
    below = pool.get((p_best, s_best + 1), "")
    if kind == "money" and not _MONEY.search(text) and _MONEY.match(below) \
            and len(below.split()) <= 4:  # a menu line and its price below it: "… rolls" / "$3.25"
        return first_sentences(_tidy(f"{text.rstrip('.')}: {below}"), max_chars)
    for follow in (1, 2):  # the next sentences often finish the answer (not a price list's)
        after = pool.get((p_best, s_best + follow))
        if _PRICE_LINE.search(text):
            break
        if not after or not _speakable(after) or after.endswith("?") \
                or len(text) + len(after) + 1 > max_chars:
            break
        text = f"{text} {after}"
    return first_sentences(_tidy(text), max_chars)


def _tidy(text: str) -> str:
    """Table leftovers and markup out: "call-out fee – –" → "call-out fee", "**Costs**" →
    "Costs" (a caller must not hear asterisks, hashes or backslashes read aloud)."""
    text = _MARKUP.sub("", text)
    text = re.sub(r"(\s*[–—-])+\s*$", "", text)
    text = re.sub(r"(\s[–—-])(\s[–—-])+\s", r"\1 ", text).strip()
    return text if text.endswith((".", "!", "?", "”", '"')) else f"{text}."


_MARKUP = re.compile(r"</?[a-z][^>]*>|\*\*|__|`|\\(?=\S)|^#+\s*|(?<=\s)#+\s+", re.M)
# What kind of fact a question asks for, and what a sentence holding it looks like: "how much"
# wants an amount of money, "how long / how far / what age / what year" a number.
_MONEY_Q = re.compile(r"\b(how much|cost|costs|price|prices|pricing|charge|charges|fee|fees|"
                      r"rate|rates)\b", re.I)
_NUMBER_Q = re.compile(r"\b(how (long|far|many|soon|old|early|late)|what (age|year|time)|"
                       r"when)\b", re.I)
_MONEY = re.compile(r"[$£€₹¥]\s?\d|\b\d[\d,.]*\s?(dollars|pounds|euros|rupees|rs|usd|gbp|"
                    r"eur|inr)\b|\b(rs\.?|inr)\s?\d|\bfree\b", re.I)
_NUMBER = re.compile(r"\d")


def question_kind(question: str) -> str | None:
    """ "money", "number" or None: the kind of fact the question asks for."""
    if _MONEY_Q.search(question):
        return "money"
    if _NUMBER_Q.search(question):
        return "number"
    return None


def _fits_kind(kind: str | None, sentence: str, after: str) -> float:
    """A bonus for a sentence that holds the kind of fact asked for (or whose next piece does,
    as in a price list: "Cinnamon rolls" / "$3.25"), so "costs between ₹3,500 and ₹8,000" beats
    "the cost depends on the tooth" for "how much does it cost?"."""
    if kind is None:
        return 0.0
    pattern = _MONEY if kind == "money" else _NUMBER
    if pattern.search(sentence):
        return 1.5
    return 0.75 if pattern.search(after) else 0.0


_WHO = re.compile(r"^(who|who's|whos|whom)\b", re.I)
_PERSON = re.compile(r"\b(Dr\.?|Mr\.?|Mrs\.?|Ms\.?|Miss)\s+([A-Z]\.?\s+)*[A-Z][a-z]+"
                     r"|\b[A-Z][a-z]+ [A-Z][a-z]+ (is|has|was|leads|heads|runs|founded|started)\b")
_TELLING = 5  # stemmed letters: "hourli", "instal"; not "far", "kid", "age"
_NEGATION = re.compile(r"\b(no|not|never|don't|doesn't|cannot|can't|won't|unable|closed|"
                       r"unfortunately|only)\b", re.I)
# "do you do…", "can I get…": about what the business offers, which a sentence of its own site
# stating it confirms ("is there parking?" is not asked this way: "IT Park" would say yes)
_YES_NO = re.compile(r"^(do|does|can|could|are) (you|i|we)\b", re.I)


def _unprefixed(question: str) -> str:
    return re.sub(r"^(hi|hello|hey|so|and|ok|okay|um|uh)[,!. ]+", "", question.strip().lower())


def asked_part(question: str) -> str:
    """The question itself, without the sentences that set the scene before it: "I'm a
    landlord. What's an EICR?" asks about an EICR; "landlord" is context the site need not
    hold."""
    parts = split_sentences(question.strip())
    if len(parts) < 2:
        return question
    asked = [p for p in parts if p.rstrip().endswith("?")]
    return asked[-1] if asked else parts[-1]


def affirms(question: str, answer: str) -> bool:
    """A yes/no question ("do you do emergency call-outs?") the answer confirms word for word
    ("We offer emergency call-out services."), with nothing that turns it around."""
    text = _unprefixed(asked_part(question))
    if not _YES_NO.match(text) or _NEGATION.search(answer) or " or " in f" {text} ":
        return False
    q = content_words(text) - _GENERIC
    said = content_words(split_sentences(answer)[0]) if answer.strip() else set()
    # the very words, not related ones: "do you charge for a quote?" is not confirmed by "the
    # price we quote is the price you pay" (the quotes are free)
    return bool(q) and all(w in said for w in q)


_PRICE_LINE = re.compile(r":\s*[$£€]\s?\d")
_PRICE_ITEM = re.compile(r"(?<=\d)\s+(?=[A-Z][a-z])")


def _pieces(text: str) -> list[str]:
    """Sentences, with run-together price lists ("Faucet installation: $159 Sump pump…") cut
    into their items."""
    out: list[str] = []
    for sentence in split_sentences(text):
        out += [p.strip() for p in _PRICE_ITEM.split(sentence) if p.strip()]
    return out


_GENERIC_TEXT = ("business company service services work working job jobs team plumber "
                 "plumbers plumbing come comes coming extra customer customers")


def _has(words: set[str], word: str) -> bool:
    return word in words or bool(_RELATED.get(word, set()) & words)


_SUFFIXES = ("ing", "ed", "er", "es", "s", "e")
# What callers say next to what websites write ("credit card" / "Visa, Mastercard").
_RELATED = {
    "credit": {"visa", "mastercard", "amex", "card", "pay"}, "card": {"visa", "mastercard", "pay"},
    "pay": {"payment", "accept", "visa", "cash"}, "cost": {"price", "fee", "charg"},
    "price": {"cost", "fee", "charg"}, "fee": {"charg", "cost", "price"},
    "charg": {"fee", "cost", "price"}, "own": {"founded", "famili", "found", "start"},
    "weekend": {"saturday", "sunday"}, "night": {"evening", "24/7"},
    "discount": {"off", "senior", "veteran"}, "warranti": {"guarante"},
    "guarante": {"warranti"}, "area": {"serv"}, "serv": {"area"}, "bad": {"fail", "broken"},
    "long": {"year", "since", "start"}, "email": {"mail"}, "hire": {"hiring", "job", "career"},
    "kid": {"child", "children", "paediatric", "pediatric"},
    "child": {"kid", "children", "paediatric", "pediatric"},
    "instalment": {"emi", "financ", "plan"}, "installment": {"emi", "financ", "plan"},
}


def _stem(word: str) -> str:
    """A crude suffix strip so "owns"/"owned"/"owner" and "parking"/"park" meet."""
    for suffix in _SUFFIXES:
        if len(word) - len(suffix) >= 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word.replace("y", "i") if len(word) > 4 and word.endswith("y") else word


# the related words meet the question's words as stems ("price" is "pric" once stemmed)
_RELATED = {word: {_stem(r) for r in related} for word, related in _RELATED.items()}


def content_words(text: str) -> set[str]:
    """The words of ``text`` that carry meaning, stemmed."""
    # "dog's" is "dog" ("dog'" would be a word no site holds)
    words = [re.sub(r"'s?$", "", w) for w in _WORD.findall(text.lower().replace("-", " "))]
    return {_stem(w) for w in words if w and w not in _STOPWORDS}


def _speakable(sentence: str) -> bool:
    """Prose or a price item, not a table row or a heading: a few words, mostly letters."""
    letters = sum(ch.isalpha() for ch in sentence)
    # a fee line is mostly figures ("Less complex case: £6,000 to £10,000 (+ VAT at 20%)")
    share = 0.3 if _MONEY.search(sentence) else 0.6
    return len(sentence.split()) >= 3 and letters >= share * len(sentence.replace(" ", ""))


_GENERIC = content_words(_GENERIC_TEXT)
_MONEY_WORDS = content_words("cost costs price prices pricing charge charges fee fees rate rates "
                             "pay paying")
# "do you come out to…", "can I drop it off": a verb's particle names nothing
_PARTICLES = content_words("out off up over away back down around ahead along into onto from "
                           "after before through")
