"""Sentences worth checking: each scored by the facts it carries (figures, dates, comparisons, causes,
predictions, events, names, attributions) against opinion, questions, headings and boilerplate.

Pure functions over a parsed spaCy Doc; only the package's __init__ loads spaCy.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from annotations.premark import checkworthiness
from annotations.premark.lexicon import (
    BEFORE_FRACTION,
    CAUSAL_WORDS,
    COMPARISON_WORDS,
    DAYS,
    EVALUATIVE_ADJECTIVES,
    FIRST_PERSON,
    FRACTION_WORDS,
    HEDGE_WORDS,
    INTENDING_PRONOUNS,
    MONTHS,
    OBLIGATION_MODALS,
    OPINION_VERBS,
    PREDICTION_WORDS,
    QUOTING_VERBS,
    SEQUENCE_ORDINALS,
    SMALL_WORDS,
)
from annotations.premark.quotes import BULLET_RE

FACT_ENTITIES = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "LAW", "PRODUCT"})
AMOUNT_ENTITIES = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY"})
COMPARATIVE_TAGS = frozenset({"JJR", "RBR", "JJS", "RBS"})
RELATIVE_DATE_RE = re.compile(
    r"\b(last|next|this|past|coming) (week|weekend|month|year|spring|summer|autumn|fall|winter)\b|\bago\b", re.IGNORECASE)
FINITE_VERB_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})

BOILERPLATE_RE = re.compile(
    r"\bsign up (for|to)\b|\bsubscribe (to|now|for|today)\b|all rights reserved|^copyright\b|©|\bread more\b|"
    r"\bclick here\b|\bfollow us\b|\bshare (this|on)\b|\bour newsletter\b|\bterms of (use|service)\b|"
    r"\bprivacy policy\b|^advertisement\b|\bcontact us\b|\bdownload (the|our) app\b|"
    r"^(related|most read|more from|watch|listen|updated|published)\b|^(photo|image|picture)s?( by)?:",
    re.IGNORECASE,
)
BYLINE_RE = re.compile(r"^((additional )?(reporting|writing|editing|compiled|produced)\s+by|by|photo(graph)?s?\s+by)\b",
                       re.IGNORECASE)
SENTENCE_FINAL = tuple(".!?…;")
CLOSING_MARKS = "\"”’')] "


@dataclass(frozen=True)
class ScoredSentence:
    start: int
    end: int
    score: float
    reasons: tuple[str, ...]


def find_claims(doc, text: str, quotes: list[tuple[int, int, str, str | None]]) -> list[ScoredSentence]:
    """Every sentence scored for check-worthiness.

    text is doc.text (spaCy rebuilds it on each use); quotes are (start, end, "direct" or "reported",
    speaker) of the quotes found in it.
    """
    scored = []
    entities = doc.ents
    next_entity = 0
    for sent in doc.sents:
        tokens = [t for t in sent if not t.is_space]
        # Entities come in text order, so each sentence takes the ones before its end.
        first = next_entity
        while next_entity < len(entities) and entities[next_entity].start < sent.end:
            next_entity += 1
        in_sentence = entities[first:next_entity]
        if not tokens:
            continue
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
        if bullet := BULLET_RE.match(text, start, end):
            start = bullet.end()
        sentence = text[start:end]
        if is_boilerplate(sentence, tokens) or is_heading(sentence, tokens) or is_question(sentence):
            continue
        if sum(t.is_alpha or t.like_num for t in tokens) < 4:
            continue
        features = sentence_features(tokens, in_sentence)
        here = [(kind, speaker) for s, e, kind, speaker in quotes if s < end and start < e]
        features |= {f"{kind} speech" for kind, _ in here}
        score, reasons = score_sentence(features, [speaker for _, speaker in here if speaker])
        learned, learned_reasons = checkworthiness.assess(sent, n=2)
        score = blend(score, learned)
        if learned >= 0.5:
            reasons = tuple(dict.fromkeys(r for r in (*reasons, *learned_reasons) if r != "nothing to check"))
        scored.append(ScoredSentence(start, end, score, reasons))
    return scored


def is_boilerplate(text: str, tokens) -> bool:
    """Bylines, sign-up prompts, copyright lines and links to other pages."""
    if BOILERPLATE_RE.search(text):
        return True
    return bool(BYLINE_RE.match(text)) and not any(t.tag_ in FINITE_VERB_TAGS for t in tokens)


def is_heading(text: str, tokens) -> bool:
    """A line with no final punctuation that is in Title Case, or short with no verb and no figure.
    A bullet ("- 24 percent of grades ...") is not a heading."""
    if text.rstrip(CLOSING_MARKS).endswith(SENTENCE_FINAL) or BULLET_RE.match(text):
        return False
    words = [t.text for t in tokens if t.is_alpha or t.like_num]
    if is_title_case(words):
        return True
    has_figure = any(ch.isdigit() for ch in text)
    return len(words) <= 10 and not has_figure and not any(t.tag_ in FINITE_VERB_TAGS for t in tokens)


def is_title_case(words: list[str]) -> bool:
    """Every word but the small ones capitalised: "US Security Guarantees Stronger than Ever"."""
    significant = [w for w in words if w.lower() not in SMALL_WORDS]
    return bool(significant) and all(w[0].isupper() or w[0].isdigit() for w in significant)


def is_question(text: str) -> bool:
    return text.rstrip(CLOSING_MARKS).endswith("?")


def sentence_features(tokens, entities) -> set[str]:
    """The signs of a checkable fact (and of opinion) in one sentence."""
    found: set[str] = set()
    for token in tokens:
        lower = token.lower_
        if _is_figure(token):
            found.add("figure" if any(ch.isdigit() for ch in token.text) or token.ent_type_ in {"MONEY", "PERCENT"}
                      else "number word")
        if token.tag_ in COMPARATIVE_TAGS or lower in COMPARISON_WORDS \
                or (token.ent_type_ == "ORDINAL" and lower not in SEQUENCE_ORDINALS):
            found.add("comparison")
        if lower in FRACTION_WORDS and token.i > 0 and token.nbor(-1).lower_ in BEFORE_FRACTION:
            found.add("number word")
        if lower in CAUSAL_WORDS and not _is_scheduled(token):
            found.add("causal")
        if lower in PREDICTION_WORDS or _is_scheduled(token):
            found.add("prediction")
        if token.tag_ in {"VBD", "VBN"} and token.pos_ == "VERB" and token.lemma_ not in QUOTING_VERBS:
            found.add("event")
        if lower in FIRST_PERSON and token.pos_ == "PRON" and token.text != "US":
            found.add("first person")
        if token.tag_ == "MD" and lower in {"would", "will", "'ll"} and _is_stated_intention(token.head):
            found.add("intention")
        if (token.tag_ == "MD" and lower in OBLIGATION_MODALS) or (token.pos_ == "ADJ" and lower in EVALUATIVE_ADJECTIVES) \
                or lower in HEDGE_WORDS \
                or (token.lemma_ in OPINION_VERBS and any(c.lower_ in {"i", "we"} for c in token.children)):
            found.add("opinion")
    if any(ent.label_ in FACT_ENTITIES for ent in entities):
        found.add("named entity")
    for ent in entities:
        if ent.label_ == "DATE" and (kind := _date_kind(ent)) is not None:
            found.add(kind)
        elif ent.label_ == "TIME":
            found.add("day")  # "at 7.15 a.m.": a time of day pins down little worth checking
    return found


# Log-odds that a sentence is worth checking, per sign found in it. Fitted by logistic regression on
# the hand-labelled sentences in bench/gold/ and rounded; the bias puts the 0.5 cut where F1 peaks.
# Leave-one-article-out F1 was within 0.01 of the in-sample figure, so the weights are not tuned to
# particular articles.
BIAS = -0.9
WEIGHTS = {
    "figure": 2.1,  # digits, money, percentages
    "date": 1.2,  # a year, a month, a calendar date
    "reported speech": 0.75,
    "number word": 0.75,  # "three zones", "a tenth"
    "comparison": 0.5,
    "prediction": 0.35,
    "event": 0.3,  # a past-tense action
    "causal": 0.25,
    "day": 0.2,  # "on Monday", "next week", "at 7 a.m."
    "named entity": 0.1,
    "opinion": -0.1,
    "first person": -0.4,  # "we", "my": speakers talking about themselves
    "intention": -0.45,  # "she said she would ask ...": a plan, not a fact
    "direct speech": -1.25,  # quoted words are mostly colour and opinion
}
# A sentence's score blends these news rules with the learned scorer of checkworthiness.py (trained
# on debate sentences, not on our gold set) by weighting their log-odds, so a confident scorer is not
# drowned by a lukewarm one the way an average of probabilities drowns it. The share was not chosen on
# the CLEF or ClaimBuster benchmarks; it trades news against debates. On crowdsourced.csv with whole
# debates held out, mean per-debate AP is 0.732, 0.717, 0.692 at shares 0.6, 0.7, 0.8, while gold
# claim F1 on articles 01-10 / 11-20 is 0.812/0.858, 0.838/0.863, 0.851/0.872. 0.7 (the share before
# the log-odds blend) is kept rather than re-tuned on the gold set the weights above were fitted on.
RULE_SHARE = 0.7
REASONS = {
    "figure": "figure", "number word": "figure", "date": "date", "day": "date", "comparison": "comparison",
    "causal": "causal", "prediction": "prediction", "event": "event", "named entity": "named entity",
    "opinion": "opinion", "first person": "first person", "intention": "stated intention",
    "direct speech": "in a direct quote",
}


def score_sentence(features: set[str], speakers: list[str]) -> tuple[float, tuple[str, ...]]:
    """0..1, the chance the sentence is worth checking given its signs, with reasons a person can read."""
    score = 1 / (1 + math.exp(-(BIAS + sum(WEIGHTS.get(feature, 0.0) for feature in features))))
    reasons = [REASONS[feature] for feature in WEIGHTS if feature in features and feature in REASONS]
    reasons += [f"attributed to {speaker}" for speaker in dict.fromkeys(speakers)]
    return score, tuple(dict.fromkeys(reasons)) or ("nothing to check",)


def blend(rule_score: float, learned_score: float) -> float:
    """The rules' and the learned scorer's probabilities combined by weighted log-odds (RULE_SHARE to the rules)."""
    logit = RULE_SHARE * _logit(rule_score) + (1 - RULE_SHARE) * _logit(learned_score)
    return 1 / (1 + math.exp(-logit))


def _logit(probability: float) -> float:
    probability = min(max(probability, 1e-9), 1 - 1e-9)
    return math.log(probability / (1 - probability))


def _is_figure(token) -> bool:
    """A number that is a fact: not a date, not "one" as in "one waved", not an age ("Edwin Carr, 71,")."""
    if token.ent_type_ in {"DATE", "TIME", "ORDINAL"} or token.lower_ == "one":
        return False
    if not (token.like_num or token.ent_type_ in AMOUNT_ENTITIES):
        return False
    is_age = token.i >= 2 and token.nbor(-1).text == "," and token.nbor(-2).ent_type_ == "PERSON"
    return not is_age


def _is_stated_intention(verb) -> bool:
    """'he said he would ask the council', 'it said it would consider ...': a plan, not yet a fact."""
    subject = next((c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
    return subject is not None and subject.lower_ in INTENDING_PRONOUNS and verb.dep_ == "ccomp" \
        and verb.head.lemma_ in QUOTING_VERBS


def _is_scheduled(token) -> bool:
    """'set to' or 'due to' before a verb: "the vote is due to take place" (not "due to the strike")."""
    if token.lower_ not in {"set", "due"} or token.i + 2 >= len(token.doc):
        return False
    to, verb = token.nbor(1), token.nbor(2)
    return to.lower_ == "to" and verb.pos_ in {"VERB", "AUX"}


def _date_kind(ent) -> str | None:
    """'in March 2024', 'on Feb. 12', 'in 1962' pin a date down; 'on Tuesday', 'last week' less so;
    'for months' not at all."""
    if any((t.like_num and any(ch.isdigit() for ch in t.text)) or t.lower_ in MONTHS for t in ent):
        return "date"
    if any(t.lower_ in DAYS for t in ent) or RELATIVE_DATE_RE.search(ent.text):
        return "day"
    return None
