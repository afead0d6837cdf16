"""Check-worthiness: a small learned score for a sentence spaCy has already parsed, and the features behind it.

What it is. A logistic regression over binary features read off the tokens get_nlp() already made (lemmas,
part-of-speech tags, entity labels, numbers, comparatives, modals, pronouns, a question mark, sentence length,
lemma pairs, part-of-speech pairs, how many names and figures, and the main verb with the kind of its subject),
plus 96 dense features: the mean over the sentence's tokens of doc.tensor, the tok2vec output the pipeline already
computed. It never tokenizes or parses again, so scoring costs microseconds beside the parse, and every score can
name the binary features that pushed it up ("figure", "percentage", "comparison"); the dense ones are never
reasons, since a reviewer cannot check a vector. The feature set and both L2 penalties were chosen by
cross-validation on crowdsourced.csv with whole debates held out (`train_checkworthiness --folds 5`).

Trained on what. ClaimBuster's crowdsourced.csv (Arslan et al., ICWSM 2020; 22,501 sentences from US presidential
debates 1960-2016, Verdict 1 = check-worthy factual sentence, 0 and -1 = not), minus every sentence whose
normalised text is also in ClaimBuster's expert groundtruth.csv or in the CLEF-2019 CheckThat! debates, so
those stay fair benchmarks. The weights file's "provenance" records the data file's sha256, how many rows were
used and dropped, the spaCy model, the hyper-parameters and the held-out validation figures.

Licence. The data is third-party: Zenodo (DOI 10.5281/zenodo.3609356) marks the dataset Open Access, but the
licence on that record could not be checked and the copy used (from a thesis repository with no LICENSE file)
carries none. The weights are numbers derived from it (about 10,000 word and tag weights and 96 dense ones, no
sentences), yet whether they may be redistributed is unclear upstream: verify the Zenodo licence before shipping
them outside the desk. The training command and this module are the project's own code.

Use. assess(sentence_span) returns (score, reasons) from one pass; score() and top_reasons() are its halves.
On its own the score suits debate-like text best; on news it is meant to be averaged with the rule score of
sentences.py. The provenance holds the validation figures.

Retrain. `python manage.py train_checkworthiness` (see --help; the trainer is training.py, which scoring never
imports) rewrites checkworthiness_weights.json beside this module; re-run the benchmarks afterwards. Retrain
whenever SPACY_MODEL changes, since the features are that model's tags, lemmas and entities.
"""
from __future__ import annotations

import functools
import json
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path

from annotations.premark.lexicon import PRONOUN_FEATURES, REPORTING_VERBS_WITHOUT_TENSE, SUBJECT_DEPS

logger = logging.getLogger(__name__)

WEIGHTS_PATH = Path(__file__).with_name("checkworthiness_weights.json")

# Tags worth a feature of their own; the rest are covered by the coarse part of speech.
TAG_FEATURES = frozenset({"JJR", "JJS", "RBR", "RBS", "VBD", "VBN", "VBG", "VBZ", "VBP", "MD"})
LENGTH_BUCKETS = ((5, "len:1-5"), (10, "len:6-10"), (20, "len:11-20"), (35, "len:21-35"))
LONGEST_LENGTH_BUCKET = "len:36+"
# Features of the sentence's shape, never a reason on their own: a reviewer cannot check "PRON VERB".
SHAPE_PREFIXES = ("pos:", "len:", "pb:", "ents:", "nums:", "root:", "subj:")
NUMBER = "<num>"
LONGEST_LEMMA = 25
DIGIT_RE = re.compile(r"\d")
# A reason must be a sign a reviewer can check: not a bare part of speech or length, and a single word or word
# pair only when it weighs enough to stand for the topic rather than for grammar ("percent", not "it").
WORD_REASON_MIN_WEIGHT = 0.3
REASON_MIN_WEIGHT = 0.1

READABLE = {
    "like_num": "figure", "pos:NUM": "figure", "ent:CARDINAL": "figure", "ent:QUANTITY": "quantity",
    "ent:PERCENT": "percentage", "ent:MONEY": "money", "ent:DATE": "date", "ent:TIME": "time",
    "ent:ORDINAL": "ranking", "ent:GPE": "place", "ent:LOC": "place", "ent:FAC": "place", "ent:PERSON": "person",
    "ent:ORG": "organisation", "ent:NORP": "nationality or group", "ent:EVENT": "named event", "ent:LAW": "law",
    "ent:PRODUCT": "product", "ent:WORK_OF_ART": "title", "ent:LANGUAGE": "language",
    "tag:JJR": "comparison", "tag:RBR": "comparison", "tag:JJS": "superlative", "tag:RBS": "superlative",
    "tag:VBD": "past tense", "tag:VBN": "past tense", "tag:VBG": "ongoing action", "tag:VBZ": "present tense",
    "tag:VBP": "present tense", "tag:MD": "modal verb", "pos:PROPN": "name", "pos:NOUN": "noun",
    "pos:VERB": "verb", "pos:ADJ": "adjective", "pos:ADV": "adverb",
    "pron:first_singular": "first person (I)", "pron:first_plural": "first person (we)", "pron:second": "you",
    "w:say": "attributed statement", "question": "question", "negation": "negation",
    "len:1-5": "very short", "len:6-10": "short sentence",
    "len:11-20": "mid-length sentence", "len:21-35": "long sentence", "len:36+": "very long sentence",
}


@dataclass(frozen=True)
class Weights:
    bias: float
    weights: dict[str, float]
    provenance: dict
    dense: tuple[float, ...] = ()  # one weight per doc.tensor column, on the raw (unscaled) mean

    @property
    def threshold(self) -> float:
        """The validation-best threshold recorded at training time, else 0.5."""
        return self.provenance.get("validation", {}).get("best_threshold") or 0.5


def features(span) -> list[str]:
    """Binary feature names of a parsed spaCy Span (or Doc), from the tokens the pipeline already made.

    Words appear only as lowercased lemmas of single tokens (proper names and numbers become placeholders), so no
    feature carries more than a word of the text, or two lemmas joined by "_" for a pair.
    """
    found: dict[str, None] = {}
    previous = None
    previous_pos = None
    words = numbers = 0
    root = None
    for token in span:
        if token.is_space:
            continue
        pos = token.pos_
        if previous_pos:
            found["pb:" + previous_pos + "_" + pos] = None
        previous_pos = pos
        if token.dep_ == "ROOT" and root is None:
            root = token
        if token.is_punct:
            if token.text == "?":
                found["question"] = None
            previous = None  # lemma pairs do not span punctuation
            continue
        words += 1
        tag, lower = token.tag_, token.lower_
        lemma = token.lemma_.lower()
        found["pos:" + pos] = None
        if tag in TAG_FEATURES and lemma not in REPORTING_VERBS_WITHOUT_TENSE:
            found["tag:" + tag] = None
        if token.ent_type_:
            found["ent:" + token.ent_type_] = None
        if token.like_num or DIGIT_RE.search(lower):
            found["like_num"] = None
            numbers += 1
            lemma = NUMBER
        elif not lemma or len(lemma) > LONGEST_LEMMA or " " in lemma:
            lemma = None
        if lower in PRONOUN_FEATURES:
            found[PRONOUN_FEATURES[lower]] = None
        if tag == "MD" and lemma:
            found["modal:" + lemma] = None
        if token.dep_ == "neg":
            found["negation"] = None
        if pos == "PROPN":
            # Names of particular people and places would only teach the model who debated in which year.
            lemma = "<" + (token.ent_type_ or "name") + ">"
        elif lemma and lemma != NUMBER:
            found["w:" + lemma] = None
        if previous and lemma:
            found["bi:" + previous + "_" + lemma] = None
        previous = lemma
    found[_length_bucket(words)] = None
    found["nums:" + ("2+" if numbers >= 2 else str(numbers))] = None
    names = _entity_count(span)
    found["ents:" + ("3+" if names >= 3 else str(names))] = None
    if root is not None:
        _add_main_verb(root, found)
    return list(found)


def dense_features(span):
    """The mean of the span's doc.tensor rows (the tok2vec output get_nlp() already computed), spaces left out.

    None when the pipeline kept no tensor. Context from outside the span reaches the edge tokens (the tok2vec
    window), so the same sentence reads a little differently alone and inside an article.
    """
    tensor = span.doc.tensor
    if tensor is None or not tensor.size:
        return None
    rows = [token.i for token in span if not token.is_space]
    return tensor[rows].mean(axis=0) if rows else None


def _add_main_verb(root, found: dict[str, None]) -> None:
    """The main verb's tag and lemma and who it is about: "we need" reads as a stance, "exports fell" as a fact."""
    found["root:" + root.tag_] = None
    lemma = root.lemma_.lower()
    if root.pos_ in {"VERB", "AUX"} and lemma and len(lemma) <= LONGEST_LEMMA and " " not in lemma:
        found["rootw:" + lemma] = None
    subject = next((c for c in root.children if c.dep_ in SUBJECT_DEPS), None)
    if subject is not None:
        found["subj:" + (subject.lower_ if subject.pos_ == "PRON" else subject.pos_)] = None


def _entity_count(span) -> int:
    """len(span.ents), which would build every entity of the whole doc on each call: quadratic over a long article."""
    doc = span.doc
    count = 0
    for token in span:
        if token.ent_iob_ == "B" and token.ent_type_:
            end = token.i + 1
            while end < len(doc) and doc[end].ent_iob_ == "I":
                end += 1
            count += end <= span.end
    return count


def _length_bucket(words: int) -> str:
    for longest, name in LENGTH_BUCKETS:
        if words <= longest:
            return name
    return LONGEST_LENGTH_BUCKET


@functools.cache
def load_weights(path: Path = WEIGHTS_PATH) -> Weights:
    """The trained weights shipped beside this module, read once per process."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{path} is missing: run `python manage.py train_checkworthiness`") from None
    return Weights(float(data["bias"]), {k: float(v) for k, v in data["weights"].items()}, data.get("provenance", {}),
                   tuple(float(v) for v in data.get("dense", ())))


def assess(span, n: int = 3) -> tuple[float, list[str]]:
    """score() and top_reasons() from one pass over the span's features."""
    model = load_weights()
    present = [(model.weights[f], f) for f in features(span) if f in model.weights]
    logit = model.bias + sum(w for w, _ in present)
    if model.dense:
        logit += _dense_logit(span, model.dense)
    return _sigmoid(logit), _reasons(present, n) if n > 0 else []


def _dense_logit(span, dense: tuple[float, ...]) -> float:
    vector = dense_features(span)
    if vector is None or len(vector) != len(dense):
        # Another pipeline (en_core_web_trf keeps no such tensor): the dense weights do not apply, the word
        # features still do. Pre-marking goes on, a little less sharp, and the log says how to fix it.
        _warn_without_dense(len(dense))
        return 0.0
    return float(vector @ _dense_array(dense))


@functools.cache
def _warn_without_dense(width: int) -> None:
    logger.warning("The spaCy pipeline gives no %s-wide doc.tensor, so check-worthiness scores use the word "
                   "features only; run `python manage.py train_checkworthiness` with this pipeline.", width)


@functools.cache
def _dense_array(dense: tuple[float, ...]):
    # Not at the top: no cycle, but importing the package (as the web views do) should not load numpy before
    # spaCy does; by the time a sentence is scored spaCy has imported it anyway.
    import numpy as np

    return np.asarray(dense, dtype=np.float32)


def score(span) -> float:
    """Probability, 0..1, that the sentence is a check-worthy factual claim."""
    return assess(span, 0)[0]


def top_reasons(span, n: int = 3) -> list[str]:
    """Readable names of the features that pushed the score up most, strongest first, without repeats."""
    return assess(span, n)[1]


def readable(feature: str) -> str:
    """A reviewer's word for a feature name: "ent:PERCENT" -> "percentage", "w:rate" -> '"rate"'."""
    if feature in READABLE:
        return READABLE[feature]
    kind, _, value = feature.partition(":")
    if kind in {"w", "rootw"}:
        return f'"{value}"'
    if kind == "bi":
        return '"' + " ".join(_readable_lemma(part) for part in value.split("_")) + '"'
    if kind == "modal":
        return f'"{value}" (modal)'
    if kind == "ent":
        return value.lower().replace("_", " ")
    return feature


def _readable_lemma(lemma: str) -> str:
    if lemma == NUMBER:
        return "N"
    if _is_placeholder(lemma):
        return "[" + READABLE.get("ent:" + lemma[1:-1], "name") + "]"
    return lemma


def _is_placeholder(lemma: str) -> bool:
    return lemma.startswith("<") and lemma.endswith(">")


def _reasons(present: list[tuple[float, str]], n: int) -> list[str]:
    reasons: list[str] = []
    for weight, feature in sorted(present, reverse=True):
        if len(reasons) >= n or weight <= 0:
            break
        if not _is_reason(feature, weight):
            continue
        name = readable(feature)
        if name not in reasons:
            reasons.append(name)
    return reasons


def _is_reason(feature: str, weight: float) -> bool:
    if feature.startswith(SHAPE_PREFIXES):
        return feature == "pos:NUM"
    if feature.startswith("bi:") and all(_is_placeholder(part) for part in feature[3:].split("_")):
        return False  # "[name] [person]" or "N N" tells a reviewer nothing
    if feature.startswith(("w:", "bi:", "rootw:")):
        return weight >= WORD_REASON_MIN_WEIGHT
    return weight >= REASON_MIN_WEIGHT


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)
