"""Finding a claim already checked elsewhere: the same claim reworded a little, or the same quote.

Pure text functions, no spaCy and no ORM: `match_keys()` gives the words a claim is indexed
under, `similarity()` scores two texts, and `is_same_claim()` decides. Figures and negation must
agree exactly, because "unemployment fell to 4.1%" and "unemployment fell to 4.3%" are two
different claims however alike they read.
"""
from __future__ import annotations

import re
import unicodedata

# Words too common to tell claims apart; left out of the keys and of the similarity.
STOPWORDS = frozenset("""
a an the and or but if of to in on at by for with from as into over under about than then that this these
those it its is are was were be been being has have had do does did will would shall should can could may
might must he she they we you i his her their our your my him them us me who whom which what when where
why how also just very more most so such there here said says say told according per cent percent some
out its level expected around about almost nearly roughly
""".split())
NEGATIONS = frozenset({"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot"})
# Words news copy swaps freely for one another; each maps to the group's first word.
SYNONYM_GROUPS = [
    "fell dropp drop declin decreas slipp slid sank eas",
    "rose ris increas grew grow climb went jump",
    "cut reduc slash lower",
    "produc output production",
    "employ staff workforce",
    "spent spend spending",
]
SYNONYMS = {word: group.split()[0] for group in SYNONYM_GROUPS for word in group.split()}
NUMBER_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20", "thirty": "30",
    "forty": "40", "fifty": "50", "hundred": "100", "thousand": "1000", "million": "1000000", "billion": "1000000000",
    "half": "0.5", "halved": "0.5", "double": "2", "doubled": "2", "twice": "2", "triple": "3", "tripled": "3",
}
TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)?")
# Below this a pair is not the same claim; chosen on bench/claim_pairs.jsonl (see bench/claim_matching.py).
THRESHOLD = 0.5


def tokens(text: str) -> list[str]:
    """Lower-cased words and numbers; number words become digits and "4,000" becomes "4000"."""
    text = unicodedata.normalize("NFKC", text).lower().replace("n't", " not")
    found = []
    for token in TOKEN.findall(text):
        token = token.replace("’", "'")
        if token[0].isdigit():
            token = token.replace(",", "")
        found.append(NUMBER_WORDS.get(token, token))
    return found


def stem(word: str) -> str:
    """A light suffix strip, so that "rises", "rising" and "risen"-style variants of one word meet."""
    for suffix in ("'s", "ing", "ied", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def figures(text: str) -> list[str]:
    return sorted(token for token in tokens(text) if token[0].isdigit())


def content_words(text: str) -> set[str]:
    words = (stem(t) for t in tokens(text) if t not in STOPWORDS and t not in NEGATIONS and not t[0].isdigit())
    return {SYNONYMS.get(word, word) for word in words}


def is_negated(text: str) -> bool:
    return any(t in NEGATIONS for t in tokens(text))


def match_keys(text: str) -> list[str]:
    """What a labelled claim is indexed under: its content words and its figures."""
    return sorted(content_words(text) | {f"#{number}" for number in figures(text)})


def similarity(first: str, second: str) -> float:
    """Overlap of content words (Dice), in [0, 1].

    0 when the figures or the negation differ, or when each side has a word the other lacks:
    a word swapped for another ("teachers" for "nurses", "exports" for "imports") makes a
    different claim, while a word added on one side only ("expected", "level") usually does not.
    """
    if figures(first) != figures(second) or is_negated(first) != is_negated(second):
        return 0.0
    a, b = content_words(first), content_words(second)
    if not a or not b or (a - b and b - a):
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def is_same_claim(first: str, second: str) -> bool:
    return similarity(first, second) >= THRESHOLD
