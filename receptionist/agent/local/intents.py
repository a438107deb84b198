"""What a caller wants, from what speech-to-text heard: deterministic, forgiving, no model.

``understand(text)`` normalises the words (lowercase, "p.m." → "pm", number words → digits) and
returns every intent whose phrases appear. The local brain decides what to do with them given the
state of the conversation (a bare "no" means something else after "anything else?").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from receptionist.core import NUMBER_WORDS

__all__ = ["Intent", "Understanding", "normalize", "understand"]


class Intent(StrEnum):
    HUMAN = "human"
    MESSAGE = "message"
    GOODBYE = "goodbye"
    REPEAT = "repeat"
    CANCEL = "cancel"
    RESCHEDULE = "reschedule"
    BOOK = "book"
    HOURS = "hours"
    ADDRESS = "address"
    PHONE = "phone"
    PRICES = "prices"
    SERVICES = "services"
    LINK = "link"
    THANKS = "thanks"
    YES = "yes"
    NO = "no"
    GREETING = "greeting"
    IDENTITY = "identity"


# The kernel's number words as digits; "zero" stays a word (callers say it inside phone numbers
# and names, "oh" and "zero" alike), and a common misspelling of forty is read too.
_NUMBER_WORDS = {word: str(n) for word, n in NUMBER_WORDS.items() if n} | {"fourty": "40"}

_P = {
    Intent.HUMAN: (
        r"\b(talk|speak|chat)\b.{0,25}\b(person|human|someone|somebody|anyone|anybody|staff|"
        r"owner|manager|team|receptionist|representative|agent|operator|technician|doctor)\b",
        r"\b(real|actual|live) (person|human|people)\b",
        r"\b(transfer|put) me (through|to)\b", r"\btransfer\b", r"\bput me through\b",
        r"\boperator\b", r"\brepresentative\b", r"\b(a |an )?human\b",
        r"\bconnect me\b", r"\bget me (a |an )?(person|someone|somebody|human)\b",
    ),
    Intent.MESSAGE: (
        r"\b(leave|take|pass on|pass along|give|send)( them| him| her| the team)? (a )?message\b",
        r"\bmessage for\b", r"\bcall me back\b", r"\bcallback\b", r"\bcall back\b",
        r"\bget back to me\b", r"\b(have|ask|get) (someone|somebody|them|him|her) (to )?call\b",
        r"^message\b",
    ),
    Intent.GOODBYE: (
        r"\b(good ?bye|bye bye|bye now|bye)\b", r"\bsee you\b", r"\bthat'?s (all|it|everything)\b",
        r"\bthat is (all|it|everything)\b", r"\bnothing else\b", r"\bhang up\b",
        r"\bhave a (good|nice|great|lovely) (day|one|evening|night|weekend|afternoon)\b",
        r"\bi'?m (all )?(good|done|set)( thanks| thank you)?$", r"\bno more questions\b",
    ),
    Intent.REPEAT: (
        r"\brepeat\b", r"\bsay (that|it) again\b", r"\bcome again\b", r"^(pardon|sorry|what)\??$",
        r"\bwhat did you say\b", r"\bdidn'?t (catch|hear|get) (that|you)\b",
    ),
    Intent.CANCEL: (
        r"\bcancel(l?ing)?\b(?! ?(lation|policy|fee))", r"\b(can'?t|cannot|won'?t) make it\b",
        r"\bcall off\b",
    ),
    Intent.RESCHEDULE: (
        r"\breschedul", r"\b(move|change|push|shift|switch) (my|the|our) (appointment|booking|"
        r"time|visit|slot|reservation)\b", r"\bpush (it|that) back\b", r"\bmove (it|that)\b",
    ),
    Intent.BOOK: (
        r"\bbook(ing)?\b", r"\bappointments?\b", r"\bappt\b", r"\bschedule\b", r"\breserv",
        r"\bcome (in|by|over|out)\b", r"\bget (in|seen)\b", r"\bavailab",
        r"\bopenings?\b(?! ?(hours|times?))", r"\bfree (slot|time|spot)\b", r"\bslots?\b",
        r"\bfit me in\b", r"\bsee (someone|somebody|you)\b",
        r"\bsend (someone|somebody|a technician|a tech)\b", r"\bset up a (time|visit)\b",
        r"\bmake an? (appointment|booking|reservation)\b",
    ),
    Intent.HOURS: (
        # "your hour": Whisper drops the s of "hours on Saturday" on a phone line
        r"\bhours\b", r"\b(your|the|opening|business|office) hour\b", r"\bopen\b",
        r"\bopening (hours|times?)\b", r"\bclos(e|es|ed|ing)\b",
        r"\bwhat time (do|are|does) you\b", r"\bwhen (are|do) you\b",
    ),
    Intent.ADDRESS: (
        r"\baddress\b", r"\bwhere (are|is) (you|it|the|your)\b", r"\bwhere'?s\b",
        r"\blocat(ed|ion)\b",
        r"\bdirections\b", r"\bfind you\b", r"\bget (there|to you)\b",
    ),
    Intent.PHONE: (
        r"\b(phone|telephone|contact|mobile|cell) (number|no)\b",
        r"\bwhat'?s your (phone|number)\b",
        r"\bwhat (is|s) your (phone|number)\b", r"\bnumber (to call|for you|to reach you)\b",
        r"\bcall you on\b", r"\bring you on\b",
    ),
    Intent.PRICES: (
        r"\bprices?\b", r"\bpricing\b", r"\bcosts?\b", r"\bhow much\b", r"\bcharges?\b",
        r"\bfees?\b", r"\brates?\b", r"\bquote\b", r"\bexpensive\b", r"\bcheap\b",
    ),
    Intent.SERVICES: (
        r"\bservices\b", r"\bwhat (do|can) you (do|offer)\b",
        r"\bdo you (do|offer|provide|fix|repair|handle|have|sell|treat|service|install|clean)\b",
        r"\bcan you (do|fix|repair|help with|handle|install|clean)\b", r"\bare you able to\b",
    ),
    Intent.LINK: (
        r"\blink\b", r"\bweb ?site\b", r"\b(text|send) me\b", r"\bonline\b", r"\burl\b",
    ),
    Intent.THANKS: (r"\bthank(s| you)\b", r"\bcheers\b", r"\bappreciate it\b"),
    Intent.GREETING: (
        r"^(hi|hello|hey|hiya|howdy|good (morning|afternoon|evening)|yes hello|hello there|"
        r"hi there|hey there)( there)?$",
    ),
    Intent.IDENTITY: (
        r"\bare you (a |an )?(real|human|person|robot|bot|ai|computer|machine|recording|"
        r"automated|actual person|real person|live person)\b",
        r"\bam i (talking|speaking) (to|with) (a |an )?(real|human|person|robot|bot|ai|"
        r"computer|machine|actual|live)\b",
        r"\bwho am i (talking|speaking) (to|with)\b", r"\bwho is this\b", r"\bwho are you\b",
    ),
    Intent.YES: (
        r"^(yes|yeah|yea|yep|yup|ya|sure|ok|okay|correct|right|exactly|perfect|great|fine|"
        r"absolutely|definitely|certainly|please|affirmative)\b",
        r"^(that'?s|that is) (right|correct|fine|great|perfect|good)\b",
        r"\b(sounds good|that works|works for me|go ahead|book it|please do|do it|let'?s do it)\b",
        r"^(uh |um )?(yes|yeah|yep|sure)\b",
    ),
    Intent.NO: (
        r"^(no|nope|nah|not really|negative|wrong|incorrect)\b", r"^(uh |um )?no\b",
        r"^(that'?s|that is) (wrong|not right|incorrect)\b", r"\bdoesn'?t work\b",
        r"\bnone of (those|them|these)\b", r"\b(different|another|other) (time|day|one)\b",
    ),
}
_COMPILED = {intent: [re.compile(p) for p in patterns] for intent, patterns in _P.items()}
_QUESTION = re.compile(
    r"^(?:(?:so|and|but|ok|okay|um|uh|hi|hello|yeah|yes|oh|well|also) )*"
    r"(how|what|what's|whats|when|where|where's|why|who|which|is|are|do|does|did|can you|"
    r"could you|will you|would you|have you|is there|are there)\b"
)
_EXPLICIT_BOOK = re.compile(r"\b(book|appointment|appt|schedul|reserv|availab|opening|slot"
                            r"|free (time|spot))")
_ABOUT_BOOKING = re.compile(
    r"^(?:(?:so|and|but|ok|okay|um|uh|hi|hello|yeah|oh|well|also) )*"
    r"(how (long|much|many|far|early)|who|why|do i (need|have to)|does it|is it|what happens|"
    r"when (i|we) book|can (i|we) (ask|request|choose|pick) (for )?(a|an|the) )\b")
_URGENT = re.compile(
    r"\b(urgent|urgently|emergency|asap|right away|immediately|as soon as possible|flooding|"
    r"flooded|leaking|burst|no heat|no hot water|no power|dangerous|smoke|gas smell|smell gas|"
    r"critical|straight away)\b"
)


@dataclass(frozen=True)
class Understanding:
    text: str  # as heard
    norm: str  # normalised
    intents: frozenset[Intent]
    urgent: bool
    question: bool = False  # asked as a question ("do you…", "how much…"), not a request

    def has(self, *intents: Intent) -> bool:
        return any(i in self.intents for i in intents)

    @property
    def is_empty(self) -> bool:
        return not self.norm

    @property
    def word_count(self) -> int:
        return len(self.norm.split())


def normalize(text: str) -> str:
    """Lowercase words, digits, "'" and ":" only; "p.m." → "pm"; number words → digits."""
    t = text.lower().replace("’", "'").replace("‘", "'")
    t = re.sub(r"\b([ap])\.? ?m\b\.?", r"\1m", t)
    t = re.sub(r"(\d)\s*([ap]m)\b", r"\1 \2", t)
    t = re.sub(r"[^a-z0-9':\s-]", " ", t)
    t = t.replace("-", " ")
    words: list[str] = []
    for raw in t.split():
        word = _NUMBER_WORDS.get(raw.strip("'"), raw.strip("'"))
        if not word:
            continue
        # "forty five" → "45"
        if words and words[-1] in ("20", "30", "40", "50") and len(word) == 1 \
                and word.isascii() and word.isdigit():
            words[-1] = str(int(words[-1]) + int(word))
            continue
        words.append(word)
    t = " ".join(words)
    # "3 30 pm" / "3 45" (number words) → "3:30"; "half past 3" → "3:30"
    t = re.sub(r"\b(1[0-2]|[1-9]) (15|30|45)\b", r"\1:\2", t)
    t = re.sub(r"\b(1[0-2]|[1-9]) ([1-5][0-9]) ([ap]m)\b", r"\1:\2 \3", t)
    t = re.sub(r"\bhalf past (\d{1,2})\b", r"\1:30", t)
    t = re.sub(r"\bquarter past (\d{1,2})\b", r"\1:15", t)
    return t


def understand(text: str) -> Understanding:
    norm = normalize(text)
    found = {
        intent for intent, patterns in _COMPILED.items() if any(p.search(norm) for p in patterns)
    }
    # "call me back" is a message, not a request to be transferred.
    if Intent.MESSAGE in found and Intent.HUMAN in found and re.search(r"call (me )?back", norm):
        found.discard(Intent.HUMAN)
    # "are you a real person?" asks who is talking; it is not a request to be transferred.
    if Intent.IDENTITY in found:
        found.discard(Intent.HUMAN)
    # "opening hours" / "are you open" ask for hours, not a booking.
    if Intent.HOURS in found and Intent.BOOK in found and not re.search(
        r"\b(book|appointment|appt|schedule|reserv|come in|availab|slot)", norm
    ):
        found.discard(Intent.BOOK)
    question = bool(_QUESTION.match(norm))
    # "do you come out to Beaverton?" / "how much extra is it if you come out at night?" ask
    # about the business; only a plain request or the word "book" starts a booking.
    if Intent.BOOK in found and question and not _EXPLICIT_BOOK.search(norm):
        found.discard(Intent.BOOK)
    # "how long does a root canal appointment take?", "do I need an appointment?": questions
    # about appointments, for the website, not a request for one
    if Intent.BOOK in found and _ABOUT_BOOKING.match(norm):
        found.discard(Intent.BOOK)
    if Intent.BOOK in found and Intent.LINK in found and "online" in norm:
        found.discard(Intent.BOOK)  # "can I book online?": the link
    if Intent.ADDRESS in found and re.search(r"\be ?mail\b", norm):
        found.discard(Intent.ADDRESS)  # "what's your email address?"
    return Understanding(text=text, norm=norm, intents=frozenset(found),
                         urgent=bool(_URGENT.search(norm)), question=question)
