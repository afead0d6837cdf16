"""How well the pre-marker finds quotes, speakers and check-worthy sentences in the gold set, beside baselines.

Usage: .venv/bin/python bench/premark_accuracy.py [--gold DIR] [--min-score S] [--verbose] [--check]

Runs the `manage.py premark --dry-run --min-score 0` contract on every bench/gold/NN-slug.txt that has
an NN-slug.json (a .txt without one is skipped and named in the output) and scores its JSON lines:

* Quotes. Texts are compared as sets of lowercased word tokens (\\w+). A predicted quote can match a gold
  quote when the F-measure of their token overlap is >= 0.5; pairs are then taken one-to-one, best
  overlap first. A prediction's kind comes from its reasons ("direct quote" -> direct, "reported speech"
  -> reported) and then it can only match a gold quote of that kind; a prediction whose reasons name no
  kind can match either and takes the kind of the gold quote it matched. A matched pair is a true
  positive of its gold kind, an unmatched gold quote a miss of its kind, and an unmatched prediction a
  false positive of the kind its reasons say, or "direct" when they say none.
* Speakers, on matched quotes only. Strict: the predicted speaker equals the gold speaker; lenient: it
  equals the gold speaker or any of its surface forms. Both compare case-insensitively, whitespace collapsed.
* Claims, per gold sentence. A claim covers a sentence when it overlaps at least half of the sentence's
  characters; a sentence's score is the highest score of the claims covering it. A sentence counts as
  predicted check-worthy when a claim covering it scores >= --min-score (default CLAIM_MIN_SCORE).
  Average precision ranks sentences by that score (0 if no claim covers them), ties in body order.
  The totals pool every quote and sentence of every article (micro-averages; AP over all sentences).

Baselines, from the same bodies parsed once in this process with get_nlp(): textacy's
direct_quotations() for direct quotes and speakers (quote = the triple's content, speaker = its speaker
tokens joined by spaces), scored by the same rules; and "the sentence has a number or a named entity"
for claims. --check compares the premark totals with FLOORS and exits 1 if any is below its floor.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bootstrap import REPO, setup_django

from pairing import one_to_one

setup_django()

from django.conf import settings  # noqa: E402

from annotations.importing import ArticleDraft, read_paths  # noqa: E402
from annotations.premark import get_nlp  # noqa: E402
from annotations.premark.training import average_precision  # noqa: E402

# A little below the totals measured on 2026-11-27 (0.997, 0.973, 0.956, 0.837), so CI fails on a regression.
FLOORS = {"direct_f1": 0.98, "reported_f1": 0.95, "speaker_strict": 0.95, "claim_f1": 0.82}
KINDS = ("direct", "reported")
MIN_OVERLAP = 0.5


@dataclass(frozen=True)
class Quote:
    text: str
    kind: str | None  # None: a prediction whose reasons do not say direct or reported
    speaker: str | None
    surface_forms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    is_checkworthy: bool


@dataclass(frozen=True)
class Claim:
    start: int
    end: int
    score: float


@dataclass
class Article:
    name: str
    path: Path
    body: str
    quotes: list[Quote]
    sentences: list[Sentence]


@dataclass
class Counts:
    tp: int = 0
    predicted: int = 0
    gold: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.predicted += other.predicted
        self.gold += other.gold

    @property
    def precision(self) -> float | None:
        return self.tp / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.gold if self.gold else None

    @property
    def f1(self) -> float | None:
        total = self.predicted + self.gold
        return 2 * self.tp / total if total else None


@dataclass
class QuoteScore:
    kinds: dict[str, Counts] = field(default_factory=lambda: {kind: Counts() for kind in KINDS})
    matched: int = 0
    strict: int = 0
    lenient: int = 0
    missed: list[Quote] = field(default_factory=list)
    false: list[Quote] = field(default_factory=list)
    wrong_speaker: list[tuple[Quote, Quote, bool]] = field(default_factory=list)  # (predicted, gold, lenient)

    def add(self, other: QuoteScore) -> None:
        for kind in KINDS:
            self.kinds[kind].add(other.kinds[kind])
        self.matched += other.matched
        self.strict += other.strict
        self.lenient += other.lenient


@dataclass
class ClaimScore:
    counts: Counts = field(default_factory=Counts)
    ranked: list[tuple[float, bool]] = field(default_factory=list)  # (score, is_checkworthy) in body order
    missed: list[Sentence] = field(default_factory=list)
    false: list[Sentence] = field(default_factory=list)

    def add(self, other: ClaimScore) -> None:
        self.counts.add(other.counts)
        self.ranked += other.ranked

    @property
    def average_precision(self) -> float | None:
        return average_precision([score for score, _ in self.ranked], [positive for _, positive in self.ranked])


@dataclass
class Totals:
    quotes: QuoteScore = field(default_factory=QuoteScore)
    claims: ClaimScore = field(default_factory=ClaimScore)


# Reading the gold set


def short(text: str, width: int = 70) -> str:
    text = text.replace("\n", "⏎")
    return text if len(text) <= width else text[: width - 1] + "…"


def locate(body: str, text: str, cursor: int, what: str, notes: list[str]) -> int | None:
    """Where text sits in body, searching from cursor so that repeated strings map in order."""
    index = body.find(text, cursor)
    if index >= 0:
        return index
    index = body.find(text)
    if index >= 0:
        notes.append(f"{what} {short(text, 50)!r} is out of order; its first occurrence is used")
        return index
    notes.append(f"{what} {short(text, 50)!r} is not in the body; left out")
    return None


def gold_quotes(body: str, entries: list[dict], notes: list[str]) -> list[Quote]:
    quotes, cursor = [], 0
    for entry in entries:
        if entry["kind"] not in KINDS:
            notes.append(f"quote {short(entry['text'], 50)!r} has kind {entry['kind']!r}; left out")
            continue
        start = locate(body, entry["text"], cursor, f"{entry['kind']} quote", notes)
        if start is None:
            continue
        # Start-based cursor: a direct partial quote may sit inside the reported clause listed before it.
        cursor = start + 1
        quotes.append(Quote(entry["text"], entry["kind"], entry["speaker"], tuple(entry["surface_forms"])))
    return quotes


def gold_sentences(body: str, entries: list[dict], notes: list[str]) -> list[Sentence]:
    sentences, cursor = [], 0
    for entry in entries:
        start = locate(body, entry["text"], cursor, "sentence", notes)
        if start is None:
            continue
        cursor = start + len(entry["text"])
        sentences.append(Sentence(start, cursor, entry["text"], bool(entry["checkworthy"])))
    return sentences


def load_gold(folder: Path, notes: list[str]) -> list[Article]:
    """Every NN-slug.txt with an NN-slug.json, its body read exactly as the app reads it."""
    articles = []
    for path in sorted(folder.glob("[0-9][0-9]-*.txt")):
        name = path.stem
        gold_path = path.with_suffix(".json")
        if not gold_path.exists():
            notes.append(f"{name}: skipped, no {gold_path.name} yet")
            continue
        draft = next(read_paths([path]))
        if not isinstance(draft, ArticleDraft):
            notes.append(f"{name}: skipped, the importer cannot read it ({draft.reason})")
            continue
        article_notes: list[str] = []
        try:
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            quotes = gold_quotes(draft.body, gold["quotes"], article_notes)
            sentences = gold_sentences(draft.body, gold["sentences"], article_notes)
        except (ValueError, KeyError, TypeError) as error:
            notes.append(f"{name}: skipped, {gold_path.name} is not in the gold format ({error!r})")
            continue
        notes += [f"{name}: {note}" for note in article_notes]
        articles.append(Article(name, path.resolve(), draft.body, quotes, sentences))
    return articles


# Predictions


def kind_from_reasons(reasons: list[str]) -> str | None:
    if any("direct quote" in reason for reason in reasons):
        return "direct"
    if any("reported speech" in reason for reason in reasons):
        return "reported"
    return None


def run_premark(articles: list[Article], notes: list[str]) -> dict[str, list[dict]]:
    """The JSON lines of `premark --dry-run --min-score 0`, grouped by file."""
    command = [sys.executable, "manage.py", "premark", "--dry-run", "--min-score", "0", *(str(a.path) for a in articles)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"premark --dry-run failed (exit {done.returncode}):\n{done.stderr}")
    marks: dict[str, list[dict]] = {str(a.path): [] for a in articles}
    for line in done.stdout.splitlines():
        mark = json.loads(line)
        marks[mark["file"]].append(mark)
    bodies = {str(a.path): a.body for a in articles}
    for file, file_marks in marks.items():
        drifted = sum(bodies[file][m["start"]:m["end"]] != m["text"] for m in file_marks)
        if drifted:
            notes.append(f"{Path(file).stem}: {drifted} mark(s) whose text is not body[start:end]")
    return marks


def premark_quotes(marks: list[dict]) -> list[Quote]:
    return [
        Quote(m["text"], kind_from_reasons(m["reasons"]), m["speaker"])
        for m in marks if m["kind"] == "quote"
    ]


def premark_claims(marks: list[dict]) -> list[Claim]:
    return [Claim(m["start"], m["end"], m["score"]) for m in marks if m["kind"] == "claim"]


def textacy_quotes(doc, extract) -> list[Quote]:
    return [
        Quote(triple.content.text, "direct", " ".join(tok.text for tok in triple.speaker))
        for triple in extract.direct_quotations(doc)
    ]


def has_number_or_entity_claims(doc, sentences: list[Sentence]) -> list[Claim]:
    """The trivial baseline: one claim, score 1, on every sentence with a number or a named entity."""
    claims = []
    for sentence in sentences:
        span = doc.char_span(sentence.start, sentence.end, alignment_mode="expand")
        if span is not None and (any(tok.like_num for tok in span) or span.ents):
            claims.append(Claim(sentence.start, sentence.end, 1.0))
    return claims


# Scoring


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def overlap_f(a: set[str], b: set[str]) -> float:
    common = len(a & b)
    return 2 * common / (len(a) + len(b)) if common else 0.0


def match_quotes(predicted: list[Quote], gold: list[Quote]) -> list[tuple[int, int]]:
    """One-to-one (predicted index, gold index) pairs, best token overlap first."""
    candidates = []
    for i, p in enumerate(predicted):
        for j, g in enumerate(gold):
            if p.kind in (None, g.kind):
                overlap = overlap_f(words(p.text), words(g.text))
                if overlap >= MIN_OVERLAP:
                    candidates.append((-overlap, i, j))
    return one_to_one(candidates)


def normalised(name: str | None) -> str:
    return " ".join((name or "").split()).lower()


def score_quotes(predicted: list[Quote], gold: list[Quote]) -> QuoteScore:
    score = QuoteScore()
    pairs = match_quotes(predicted, gold)
    for g in gold:
        # gold_quotes keeps only quotes of a known kind; only predictions may have none.
        assert g.kind is not None
        score.kinds[g.kind].gold += 1
    for i, j in pairs:
        p, g = predicted[i], gold[j]
        assert g.kind is not None
        score.kinds[g.kind].tp += 1
        score.kinds[g.kind].predicted += 1
        score.matched += 1
        said = normalised(p.speaker)
        strict = bool(said) and said == normalised(g.speaker)
        lenient = bool(said) and said in {normalised(form) for form in (g.speaker, *g.surface_forms)}
        score.strict += strict
        score.lenient += lenient
        if not strict:
            score.wrong_speaker.append((p, g, lenient))
    matched_p = {i for i, _ in pairs}
    matched_g = {j for _, j in pairs}
    for i, p in enumerate(predicted):
        if i not in matched_p:
            score.kinds[p.kind or "direct"].predicted += 1
            score.false.append(p)
    score.missed = [g for j, g in enumerate(gold) if j not in matched_g]
    return score


def score_claims(sentences: list[Sentence], claims: list[Claim], threshold: float) -> ClaimScore:
    score = ClaimScore()
    for sentence in sentences:
        half = (sentence.end - sentence.start) / 2
        covering = [c.score for c in claims if min(c.end, sentence.end) - max(c.start, sentence.start) >= half]
        is_predicted = any(value >= threshold for value in covering)
        score.ranked.append((max(covering, default=0.0), sentence.is_checkworthy))
        score.counts.gold += sentence.is_checkworthy
        score.counts.predicted += is_predicted
        score.counts.tp += is_predicted and sentence.is_checkworthy
        if sentence.is_checkworthy and not is_predicted:
            score.missed.append(sentence)
        elif is_predicted and not sentence.is_checkworthy:
            score.false.append(sentence)
    return score


# Printing


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def print_articles(rows: list[tuple[Article, QuoteScore, ClaimScore]]) -> None:
    print(f"{'article':28} {'direct F1 tp/pred/gold':24} {'reported F1 tp/pred/gold':26} "
          f"{'speaker strict lenient':24} {'claim F1 tp/pred/gold':24} claim AP")
    for article, quotes, claims in rows:
        cells = [f"{fmt(c.f1)} {c.tp}/{c.predicted}/{c.gold}" for c in (quotes.kinds["direct"], quotes.kinds["reported"])]
        speaker = f"{quotes.strict}/{quotes.matched} {quotes.lenient}/{quotes.matched}"
        claim = f"{fmt(claims.counts.f1)} {claims.counts.tp}/{claims.counts.predicted}/{claims.counts.gold}"
        print(f"{short(article.name, 28):28} {cells[0]:24} {cells[1]:26} {speaker:24} {claim:24} "
              f"{fmt(claims.average_precision)}")


def with_counts(value: float | None, part: int, whole: int) -> str:
    return f"{fmt(value)} ({part}/{whole})"


def quote_rows(score: QuoteScore) -> list[str]:
    rows = []
    for kind in KINDS:
        c = score.kinds[kind]
        rows += [with_counts(c.precision, c.tp, c.predicted), with_counts(c.recall, c.tp, c.gold), fmt(c.f1)]
    return [
        *rows,
        with_counts(ratio(score.strict, score.matched), score.strict, score.matched),
        with_counts(ratio(score.lenient, score.matched), score.lenient, score.matched),
    ]


QUOTE_LABELS = [
    "direct precision", "direct recall", "direct F1", "reported precision", "reported recall", "reported F1",
    "speaker strict (of matched)", "speaker lenient (of matched)",
]


def print_quote_totals(ours: QuoteScore, baseline: QuoteScore | None) -> None:
    theirs = quote_rows(baseline) if baseline else ["not available"] * len(QUOTE_LABELS)
    if baseline:
        theirs[3:6] = ["n/a (direct only)"] * 3
    print(f"{'quotes':30} {'premark':22} textacy direct_quotations (baseline)")
    for label, mine, other in zip(QUOTE_LABELS, quote_rows(ours), theirs, strict=True):
        print(f"{label:30} {mine:22} {other}")


def print_claim_totals(ours: ClaimScore, baseline: ClaimScore, threshold: float) -> None:
    print(f"{f'claims (score >= {threshold:g})':30} {'premark':22} has a number or named entity (baseline)")
    for label, getter in [
        ("precision", lambda s: with_counts(s.counts.precision, s.counts.tp, s.counts.predicted)),
        ("recall", lambda s: with_counts(s.counts.recall, s.counts.tp, s.counts.gold)),
        ("F1", lambda s: fmt(s.counts.f1)),
        ("average precision", lambda s: fmt(s.average_precision)),
    ]:
        print(f"{label:30} {getter(ours):22} {getter(baseline)}")


def print_details(article: Article, quotes: QuoteScore, claims: ClaimScore) -> None:
    print(f"\n{article.name}")
    for g in quotes.missed:
        print(f"  missed {g.kind} quote: {short(g.text)!r} ({g.speaker})")
    for p in quotes.false:
        print(f"  false {p.kind or 'unlabelled'} quote: {short(p.text)!r} (speaker {p.speaker!r})")
    for p, g, lenient in quotes.wrong_speaker:
        label = "speaker is a surface form only" if lenient else "wrong speaker"
        print(f"  {label}: {short(g.text, 50)!r}: said {p.speaker!r}, gold {g.speaker!r} {list(g.surface_forms)}")
    for sentence in claims.missed:
        print(f"  missed claim: {short(sentence.text)!r}")
    for sentence in claims.false:
        print(f"  false claim: {short(sentence.text)!r}")


def check_floors(quotes: QuoteScore, claims: ClaimScore) -> bool:
    figures = {
        "direct_f1": quotes.kinds["direct"].f1,
        "reported_f1": quotes.kinds["reported"].f1,
        "speaker_strict": ratio(quotes.strict, quotes.matched),
        "claim_f1": claims.counts.f1,
    }
    passed = True
    print("\ncheck against FLOORS")
    for name, floor in FLOORS.items():
        ok = (figures[name] or 0.0) >= floor
        passed &= ok
        print(f"  {name:16} {fmt(figures[name]):>6} >= {floor:.3f}  {'PASS' if ok else 'FAIL'}")
    return passed


def evaluate(articles: list[Article], marks: dict[str, list[dict]], docs: list, extract, threshold: float,
             notes: list[str]) -> tuple[list[tuple[Article, QuoteScore, ClaimScore]], Totals, Totals]:
    """Per-article premark scores, premark totals and baseline totals."""
    rows, ours, baseline = [], Totals(), Totals()
    for article, doc in zip(articles, docs, strict=True):
        quotes = score_quotes(premark_quotes(marks[str(article.path)]), article.quotes)
        claims = score_claims(article.sentences, premark_claims(marks[str(article.path)]), threshold)
        rows.append((article, quotes, claims))
        ours.quotes.add(quotes)
        ours.claims.add(claims)
        baseline.quotes.add(score_quotes(baseline_quotes(doc, extract, article.name, notes), article.quotes))
        baseline.claims.add(score_claims(article.sentences, has_number_or_entity_claims(doc, article.sentences), threshold))
    return rows, ours, baseline


def baseline_quotes(doc, extract, name: str, notes: list[str]) -> list[Quote]:
    if extract is None:
        return []
    try:
        return textacy_quotes(doc, extract)
    except ValueError as error:  # textacy gives up on a text with an odd number of quotation marks
        notes.append(f"{name}: textacy gave up, so found nothing ({str(error).split(';')[0]})")
        return []


def load_textacy():
    """textacy's extract module, or the reason it cannot be used (it is a bench-only extra)."""
    try:
        import textacy.extract
    except ImportError as error:
        return None, f"textacy baseline: not available ({error}; pip install -r bench/requirements.txt)"
    return textacy.extract, ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=REPO / "bench" / "gold", help="gold folder (default bench/gold)")
    parser.add_argument("--min-score", type=float, default=settings.CLAIM_MIN_SCORE,
                        help=f"claim score that counts as check-worthy (default CLAIM_MIN_SCORE={settings.CLAIM_MIN_SCORE})")
    parser.add_argument("--verbose", action="store_true", help="per article: missed and false quotes and claims, wrong speakers")
    parser.add_argument("--check", action="store_true", help="exit 1 if a total is below its floor in FLOORS")
    options = parser.parse_args()

    notes: list[str] = []
    articles = load_gold(options.gold, notes)
    if not articles:
        sys.exit(f"no gold articles with annotations in {options.gold}")
    marks = run_premark(articles, notes)
    extract, textacy_note = load_textacy()
    docs = list(get_nlp().pipe(a.body for a in articles))

    rows, ours, baseline = evaluate(articles, marks, docs, extract, options.min_score, notes)

    gold_quotes_count = sum(len(a.quotes) for a in articles)
    gold_sentences_count = sum(len(a.sentences) for a in articles)
    print(f"premark accuracy on {len(articles)} gold article(s) in {options.gold}: {gold_quotes_count} quotes, "
          f"{gold_sentences_count} sentences; pipeline {settings.SPACY_MODEL}\n")
    print_articles(rows)
    print(f"\ntotals over {len(articles)} article(s)")
    print_quote_totals(ours.quotes, baseline.quotes if extract else None)
    print()
    print_claim_totals(ours.claims, baseline.claims, options.min_score)
    if textacy_note:
        print(f"\n{textacy_note}")
    if notes:
        print("\nnotes")
        for note in notes:
            print(f"  {note}")
    if options.verbose:
        for article, quotes, claims in rows:
            print_details(article, quotes, claims)
    if options.check and not check_floors(ours.quotes, ours.claims):
        sys.exit(1)


if __name__ == "__main__":
    main()
