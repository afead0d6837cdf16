"""How well the pre-marker's quote marks find attributed statements and their speakers in real news (PolNeAR).

Usage: .venv/bin/python bench/premark_real_news.py [--split dev|train|both] [--limit N] [--datasets DIR]
           [--referents FILE] [--verbose] [--json]

Reads ../shared/datasets/polnear/{dev,train}: each text/NAME.txt with the first attributions/NAME_*.ann in
name order (brat standoff: T lines are Source/Cue/Content spans, a discontinuous one "S E;S E"; E lines tie
them into one attribution; an attribution without a Content span is skipped and counted). PolNeAR is measured
here and never copied: nothing is written into the repository, and only --verbose prints a few short snippets.

Each article goes to a temporary NAME.txt as a headline line of our own (the name) followed by the raw text,
and one `manage.py premark --dry-run --min-score 0` run reads them all. Its offsets count into the normalised
body, so every body character is aligned back to the raw text (NFC, newlines, no-break spaces and dropped
whitespace allowed for); an article that cannot be aligned is left out and counted.

* Content. Texts are compared as sets of word tokens (\\w+ of the raw text, by position, so a phrase repeated
  elsewhere does not count): a token belongs to a span when they share a character. A quote mark (kind
  "quote") can match an attribution when the Jaccard index of their token sets is >= 0.5; pairs are then
  taken one-to-one, best Jaccard first (ties: earlier mark, earlier attribution). Precision = matched marks
  / quote marks, recall = matched attributions / attributions.
* Kind of an attribution, from the raw text's double quotation marks (“ ” and "; a paragraph end closes an
  open quote): direct when every Content token is inside quotation marks, indirect when none is, mixed
  otherwise. Recall is given per kind.
* Speaker, on matched attributions that have a Source span. Lenient: the predicted speaker's last word
  (Jr./Sr./II/III skipped) is one of the Source span's words, case-insensitive; no speaker is wrong. It is
  given over all of them and over those whose Source is not a bare pronoun ("he", "they"), which the lenient
  rule can never credit.
* Referents (--referents, default bench/polnear_referents.tsv: article, source_start, source_end, form,
  name; several names as "A; B"). Where a row names the source's referent, "right person" means a name match
  (titles, initials and Jr./Sr. ignored): every word of the speaker is in the referent's name, or the two share
  the last word and the speaker contains the referent's first word. So "Cruz" and "Rival Ted Cruz" match
  "Ted Cruz" but "Heidi Cruz" does not. A row with an empty name falls back to the lenient rule. Elsewhere
  "right person" is the lenient rule.
* Wrong person: of matched attributions with a Source and a predicted speaker, the share whose speaker is a
  name (every word capitalised but connectors such as "of") that is not the right person by the rule above
  (against a row with an empty name, any name is wrong). A bare-pronoun Source without a row cannot be judged:
  it is left out of the wrong-person rate and counted as "pronoun sources not judged". Pronoun sources: of
  matched attributions whose row says form "pronoun" and gives a name, the share whose speaker is that person.
* The fact-checker subset leaves out attributions whose Cue is a bare belief, feeling or intention (see
  NOT_STATEMENT_CUES). Its recall counts only those attributions; its precision leaves out the marks that
  matched an excluded attribution (neither right nor wrong for the subset).

Totals pool all articles (micro-averages). The targets of issue 13 are printed beside the figures. Exit 0.
"""
from __future__ import annotations

import argparse
import bisect
import json
import re
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bootstrap import REPO, setup_django

from pairing import one_to_one

setup_django()

from annotations.importing import ArticleDraft, read_paths  # noqa: E402

MIN_JACCARD = 0.5
KINDS = ("direct", "mixed", "indirect")
TARGETS = {
    "content precision": ">= 0.80", "content F1": ">= 0.75", "recall direct": ">= 0.97", "recall mixed": ">= 0.85",
    "recall indirect": ">= 0.60", "speaker right person": ">= 0.93", "wrong person": "<= 0.03",
    "pronoun sources right person": ">= 0.85",
}
# A fact-checker checks what someone stated, claimed, reported, accused or promised. A cue that only reports
# what someone thinks, feels, knows, hopes or wants ("she believes", "he fears", "they want") gives a state of
# mind, not a statement anyone can be held to, so those attributions are left out of the subset. Written from
# the verbs of belief, emotion and volition in English grammars, not from PolNeAR; word forms listed in full
# so the bench needs no parser.
NOT_STATEMENT_CUES = frozenset("""
    think thinks thought thinking believe believes believed believing belief beliefs
    feel feels felt feeling feelings hope hopes hoped hoping hopeful fear fears feared fearing afraid
    want wants wanted wanting wish wishes wished wishing expect expects expected expecting expectation
    expectations worry worries worried worrying know knows knew known knowing suspect suspects suspected
    suspecting doubt doubts doubted doubting assume assumes assumed assuming suppose supposes supposed
    wonder wonders wondered wondering intend intends intended intending intention like likes liked love
    loves loved hate hates hated prefer prefers preferred convinced confident sure concerned skeptical
    sceptical
""".split())
NAME_CONNECTORS = frozenset("of and the de del la le van von da di bin al for".split())
IGNORED_NAME_WORDS = frozenset("""
    mr mrs ms miss dr sir dame sen senator rep gov governor president the jr sr ii iii
""".split())
SUFFIXES = frozenset("jr sr ii iii".split())
# A source that is only one of these names nobody by itself: the lenient rule cannot judge it without a referent.
PRONOUNS = frozenset("he she they it i we you him her them his hers its their theirs our us me".split())
# What the importer's normalise_text turns a raw character into (besides NFC and dropped whitespace).
CANONICAL = {"\u00a0": " ", "\r": "\n", "\u2028": "\n", "\u2029": "\n"}

Segments = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Attribution:
    content: Segments
    source: Segments  # () when the attribution has no Source span
    kind: str  # direct, mixed or indirect
    is_statement: bool  # in the fact-checker subset


@dataclass(frozen=True)
class Mark:
    segments: Segments  # raw-text offsets
    speaker: str | None


@dataclass(frozen=True)
class Referent:
    form: str
    name: str


@dataclass
class Article:
    name: str
    raw: str
    attributions: list[Attribution]
    token_starts: list[int] = field(default_factory=list)
    token_ends: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        for match in re.finditer(r"\w+", self.raw):
            self.token_starts.append(match.start())
            self.token_ends.append(match.end())

    def tokens(self, segments: Segments) -> frozenset[int]:
        """Indices of the word tokens that share a character with the segments."""
        found: set[int] = set()
        for start, end in segments:
            found.update(range(bisect.bisect_right(self.token_ends, start), bisect.bisect_left(self.token_starts, end)))
        return frozenset(found)

    def words(self, segments: Segments) -> set[str]:
        return {self.raw[self.token_starts[i]:self.token_ends[i]].lower() for i in self.tokens(segments)}


@dataclass
class Tally:
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    gold_kinds: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    matched_kinds: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    with_source: int = 0
    lenient: int = 0
    named_sources: int = 0  # sources that are not a bare pronoun
    lenient_named: int = 0
    right_person: int = 0
    by_referent: int = 0
    with_speaker: int = 0
    unjudged: int = 0  # a pronoun source with a speaker but no referent row: right or wrong person unknown
    wrong_person: int = 0
    pronouns: int = 0
    pronouns_right: int = 0

    def add(self, other: Tally) -> None:
        for name, value in vars(other).items():
            if isinstance(value, dict):
                for key, count in value.items():
                    getattr(self, name)[key] += count
            else:
                setattr(self, name, getattr(self, name) + value)

    def figures(self) -> dict[str, tuple[float | None, int, int]]:
        """Each figure as (value, part, whole); F1 has no counts."""
        precision, recall = ratio(self.matched, self.predicted), ratio(self.matched, self.gold)
        f1 = 2 * precision * recall / (precision + recall) if precision and recall else None
        return {
            "content precision": (precision, self.matched, self.predicted),
            "content recall": (recall, self.matched, self.gold),
            "content F1": (f1, 0, 0),
            **{f"recall {k}": (ratio(self.matched_kinds[k], self.gold_kinds[k]), self.matched_kinds[k], self.gold_kinds[k])
               for k in KINDS},
            "speaker lenient": (ratio(self.lenient, self.with_source), self.lenient, self.with_source),
            "speaker lenient, no pronoun": (ratio(self.lenient_named, self.named_sources), self.lenient_named,
                                            self.named_sources),
            "speaker right person": (ratio(self.right_person, self.with_source), self.right_person, self.with_source),
            "judged by a referent row": (ratio(self.by_referent, self.with_source), self.by_referent, self.with_source),
            "wrong person": (ratio(self.wrong_person, self.with_speaker - self.unjudged), self.wrong_person,
                             self.with_speaker - self.unjudged),
            "pronoun sources not judged": (ratio(self.unjudged, self.with_speaker), self.unjudged, self.with_speaker),
            "pronoun sources right person": (ratio(self.pronouns_right, self.pronouns), self.pronouns_right, self.pronouns),
        }


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# Reading PolNeAR


def parse_segments(offsets: str) -> Segments:
    return tuple((int(start), int(end)) for start, end in (part.split() for part in offsets.split(";")))


def parse_ann(text: str) -> list[dict[str, list[tuple[str, Segments]]]]:
    """Each E line as role -> [(label, segments)], roles without their digits ("Content2" -> "Content")."""
    spans: dict[str, tuple[str, Segments]] = {}
    events = []
    for line in text.splitlines():
        fields = line.split("\t")
        if line.startswith("T") and len(fields) >= 2:
            label, _, offsets = fields[1].partition(" ")
            spans[fields[0]] = (label, parse_segments(offsets))
        elif line.startswith("E") and len(fields) >= 2:
            events.append(fields[1].split())
    attributions = []
    for event in events:
        roles: dict[str, list[tuple[str, Segments]]] = {}
        for item in event:
            role, _, ident = item.partition(":")
            if ident in spans:
                roles.setdefault(re.sub(r"\d+$", "", role), []).append(spans[ident])
        attributions.append(roles)
    return attributions


def quoted_ranges(raw: str) -> list[tuple[int, int]]:
    """Character ranges inside double quotation marks; a paragraph end closes an open quote."""
    ranges, opened = [], None
    for match in re.finditer(r'[“”"\n]', raw):
        char = match.group()
        if opened is None and char in '“"':
            opened = match.end()
        elif opened is not None and char in '”"\n':
            ranges.append((opened, match.start()))
            opened = None
    if opened is not None:
        ranges.append((opened, len(raw)))
    return ranges


def kind_of(article: Article, content: Segments, quoted: list[tuple[int, int]]) -> str:
    starts = [start for start, _ in quoted]
    inside = 0
    tokens = article.tokens(content)
    for i in tokens:
        at = article.token_starts[i]
        k = bisect.bisect_right(starts, at) - 1
        inside += k >= 0 and quoted[k][0] <= at < quoted[k][1]
    return "direct" if inside == len(tokens) else "indirect" if inside == 0 else "mixed"


def is_statement_cue(article: Article, cues: list[Segments]) -> bool:
    return not any(article.words(cue) & NOT_STATEMENT_CUES for cue in cues)


def read_article(text_path: Path, ann_path: Path, notes: list[str]) -> Article:
    article = Article(text_path.stem, text_path.read_text(encoding="utf-8"), [])
    quoted = quoted_ranges(article.raw)
    skipped = 0
    for roles in parse_ann(ann_path.read_text(encoding="utf-8")):
        content = tuple(segment for _, segments in roles.get("Content", []) for segment in segments)
        if not content or not article.tokens(content):
            skipped += 1
            continue
        source = roles.get("Source", [("", ())])[0][1]
        cues = [segments for _, segments in roles.get("Cue", [])]
        article.attributions.append(Attribution(content, source, kind_of(article, content, quoted),
                                                is_statement_cue(article, cues)))
    if skipped:
        notes.append(f"{article.name}: {skipped} attribution(s) without a Content span (or one with no word) skipped")
    return article


def read_split(folder: Path, notes: list[str], limit: int | None) -> list[Article]:
    articles = []
    for text_path in sorted((folder / "text").glob("*.txt"))[:limit]:
        annotations = sorted((folder / "attributions").glob(f"{text_path.stem}_*.ann"))
        if not annotations:
            notes.append(f"{text_path.stem}: no .ann file, skipped")
            continue
        articles.append(read_article(text_path, annotations[0], notes))
    return articles


def read_referents(path: Path) -> dict[tuple[str, int, int], Referent] | None:
    """(article, source_start, source_end) -> referent, or None when the file does not exist."""
    if not path.exists():
        return None
    referents = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.rstrip("\n").split("\t")
        if line.startswith("#") or len(fields) < 4 or not fields[1].strip().isdigit():
            continue
        name = fields[4].strip() if len(fields) > 4 else ""
        referents[(fields[0].strip(), int(fields[1]), int(fields[2]))] = Referent(fields[3].strip(), name)
    return referents


# Predictions through the premark --dry-run contract


def body_to_raw(raw: str, body: str) -> list[int] | None:
    """The raw offset of every body character, or None where the importer's normalisation cannot explain them."""
    positions, i = [], 0
    for char in body:
        while True:
            if i >= len(raw):
                return None
            length = matched_length(raw, i, char)
            if length:
                break
            if not raw[i].isspace():
                return None
            i += 1
        positions.append(i)
        i += length
    return positions


def matched_length(raw: str, i: int, char: str) -> int:
    """How many raw characters from i make the body character `char` (0: none)."""
    if CANONICAL.get(raw[i], raw[i]) == char:
        return 1
    for length in range(1, 5):  # NFC composes a letter and its combining marks
        if unicodedata.normalize("NFC", raw[i:i + length]) == char:
            return length
    return 0


def run_premark(articles: list[Article], folder: Path, notes: list[str]) -> dict[str, list[Mark]]:
    """Quote marks per article, in raw offsets; an article whose offsets cannot be mapped is left out."""
    paths = {}
    for article in articles:
        path = folder / f"{article.name}.txt"
        path.write_text(f"{article.name}\n{article.raw}", encoding="utf-8")
        paths[str(path)] = article
    command = [sys.executable, "manage.py", "premark", "--dry-run", "--min-score", "0", *paths]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"premark --dry-run failed (exit {done.returncode}):\n{done.stderr}")
    lines: dict[str, list[dict]] = {file: [] for file in paths}
    for line in done.stdout.splitlines():
        mark = json.loads(line)
        lines[mark["file"]].append(mark)
    bodies = {item.source_name: item.body for item in read_paths(list(paths)) if isinstance(item, ArticleDraft)}
    marks = {}
    for file, article in paths.items():
        mapped = map_marks(article, bodies.get(file), lines[file], notes)
        if mapped is not None:
            marks[article.name] = mapped
    return marks


def map_marks(article: Article, body: str | None, lines: list[dict], notes: list[str]) -> list[Mark] | None:
    positions = body_to_raw(article.raw, body) if body is not None else None
    if positions is None:
        notes.append(f"{article.name}: left out, its normalised body cannot be aligned with the raw text")
        return None
    drifted = sum(body[m["start"]:m["end"]] != m["text"] for m in lines)  # type: ignore[index]
    if drifted:
        notes.append(f"{article.name}: {drifted} mark(s) whose text is not body[start:end]")
    return [Mark(((positions[m["start"]], positions[m["end"] - 1] + 1),), m["speaker"])
            for m in lines if m["kind"] == "quote" and m["end"] > m["start"]]


# Scoring


def match(article: Article, marks: list[Mark]) -> list[tuple[int, int]]:
    """One-to-one (mark index, attribution index) pairs, best Jaccard first."""
    predicted = [article.tokens(m.segments) for m in marks]
    gold = [article.tokens(a.content) for a in article.attributions]
    candidates = []
    for i, p in enumerate(predicted):
        for j, g in enumerate(gold):
            common = len(p & g)
            if common and common / len(p | g) >= MIN_JACCARD:
                candidates.append((-common / len(p | g), i, j))
    return one_to_one(candidates)


def name_words(name: str) -> list[str]:
    return [w for w in re.findall(r"\w+", name.lower()) if w not in IGNORED_NAME_WORDS and len(w) > 1]


def is_same_person(said: str, names: str) -> bool:
    """A name match with the referent, or with any of several given as "A; B"."""
    for name in names.split(";"):
        said_words, referent_words = name_words(said), name_words(name)
        if not said_words or not referent_words:
            continue
        if set(said_words) <= set(referent_words):
            return True
        if said_words[-1] == referent_words[-1] and referent_words[0] in said_words:
            return True
    return False


def is_name(said: str) -> bool:
    words = said.split()
    return bool(words) and all(w[0].isupper() or w.lower() in NAME_CONNECTORS for w in words) and words[-1][0].isupper()


def is_lenient_match(said: str, source_words: set[str]) -> bool:
    words = [w for w in re.findall(r"\w+", said.lower()) if w not in SUFFIXES]
    return bool(words) and words[-1] in source_words


@dataclass(frozen=True)
class SpeakerJudgement:
    lenient: bool
    right_person: bool
    by_referent: bool
    wrong_person: bool | None  # None: a pronoun source without a referent row cannot be judged
    pronoun: bool  # the source is a pronoun whose referent is named
    is_pronoun_source: bool


def judge_speaker(article: Article, said: str | None, source: Segments, referent: Referent | None) -> SpeakerJudgement:
    words = article.words(source)
    is_pronoun = words <= PRONOUNS
    lenient = bool(said) and is_lenient_match(said or "", words)
    named = bool(said) and is_name(said or "")
    if referent is None:
        wrong = None if is_pronoun and said else named and not lenient
        return SpeakerJudgement(lenient, lenient, False, wrong, False, is_pronoun)
    if not referent.name:
        return SpeakerJudgement(lenient, lenient, True, named, False, is_pronoun)
    right = bool(said) and is_same_person(said or "", referent.name)
    return SpeakerJudgement(lenient, right, True, named and not right, referent.form == "pronoun", is_pronoun)


def score_article(article: Article, marks: list[Mark], referents: dict[tuple[str, int, int], Referent] | None,
                  wrong_cases: list[str]) -> tuple[Tally, Tally]:
    """Tallies for all attributions and for the fact-checker subset."""
    everything, subset = Tally(), Tally()
    pairs = match(article, marks)
    for attribution in article.attributions:
        for tally in (everything, subset) if attribution.is_statement else (everything,):
            tally.gold += 1
            tally.gold_kinds[attribution.kind] += 1
    everything.predicted = len(marks)
    subset.predicted = len(marks) - sum(not article.attributions[j].is_statement for _, j in pairs)
    for i, j in pairs:
        attribution, said = article.attributions[j], marks[i].speaker
        referent = None
        if referents is not None and attribution.source:
            referent = referents.get((article.name, attribution.source[0][0], attribution.source[-1][1]))
        judgement = judge_speaker(article, said, attribution.source, referent) if attribution.source else None
        if judgement and judgement.wrong_person:
            source = " ".join(article.raw[s:e] for s, e in attribution.source)
            wrong_cases.append(f"{article.name} content {attribution.content[0][0]}: said {said!r}, source "
                               f"{shorten(source)!r}" + (f", referent {referent.name!r}" if referent else ""))
        for tally in (everything, subset) if attribution.is_statement else (everything,):
            add_match(tally, attribution, said, judgement)
    return everything, subset


def add_match(tally: Tally, attribution: Attribution, said: str | None, judgement: SpeakerJudgement | None) -> None:
    tally.matched += 1
    tally.matched_kinds[attribution.kind] += 1
    if judgement is None:
        return
    tally.with_source += 1
    tally.lenient += judgement.lenient
    tally.named_sources += not judgement.is_pronoun_source
    tally.lenient_named += judgement.lenient and not judgement.is_pronoun_source
    tally.right_person += judgement.right_person
    tally.by_referent += judgement.by_referent
    tally.with_speaker += bool(said)
    tally.unjudged += bool(said) and judgement.wrong_person is None
    tally.wrong_person += bool(judgement.wrong_person)
    tally.pronouns += judgement.pronoun
    tally.pronouns_right += judgement.pronoun and judgement.right_person


def unknown_referent_rows(referents: dict[tuple[str, int, int], Referent], articles: list[Article]) -> list[str]:
    """A note when referent rows of the scored articles name no Source span (wrong offsets or article)."""
    names = {article.name for article in articles}
    sources = {(article.name, a.source[0][0], a.source[-1][1]) for article in articles for a in article.attributions if a.source}
    unknown = [key for key in referents if key[0] in names and key not in sources]
    return [f"{len(unknown)} referent row(s) match no Source span of their article, e.g. {unknown[0]}"] if unknown else []


# Printing


def shorten(text: str, limit: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def cell(value: float | None, part: int, whole: int, *, counts: bool = True) -> str:
    shown = "-" if value is None else f"{value:.3f}"
    return f"{shown} ({part}/{whole})" if counts and whole else shown


def print_table(everything: Tally, subset: Tally, has_referents: bool) -> None:
    print(f"{'':30} {'all attributions':22} {'fact-checker subset':22} target")
    ours, theirs = everything.figures(), subset.figures()
    for label, (value, part, whole) in ours.items():
        if not has_referents and label in {"judged by a referent row", "pronoun sources right person"}:
            continue
        other = theirs[label]
        is_f1 = label == "content F1"
        print(f"{label:30} {cell(value, part, whole, counts=not is_f1):22} "
              f"{cell(*other, counts=not is_f1):22} {TARGETS.get(label, '')}")


def print_articles(rows: list[tuple[Article, Tally, Tally]]) -> None:
    print(f"\n{'article':56} {'P':>6} {'R':>6} {'dir':>7} {'mix':>7} {'ind':>7} {'speaker':>8} {'wrong':>6}")
    for article, tally, _ in rows:
        figures = tally.figures()
        kinds = [f"{tally.matched_kinds[k]}/{tally.gold_kinds[k]}" for k in KINDS]
        print(f"{article.name[:56]:56} {cell(*figures['content precision'], counts=False):>6} "
              f"{cell(*figures['content recall'], counts=False):>6} {kinds[0]:>7} {kinds[1]:>7} {kinds[2]:>7} "
              f"{tally.right_person:>3}/{tally.with_source:<4} {tally.wrong_person:>3}/{tally.with_speaker}")


def as_json(everything: Tally, subset: Tally, rows: list[tuple[Article, Tally, Tally]], verbose: bool) -> str:
    result: dict = {"all": asdict(everything), "subset": asdict(subset),
                    "figures": {"all": {k: v[0] for k, v in everything.figures().items()},
                                "subset": {k: v[0] for k, v in subset.figures().items()}}}
    if verbose:
        result["articles"] = {article.name: asdict(tally) for article, tally, _ in rows}
    return json.dumps(result, indent=2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=["dev", "train", "both"], default="dev", help="PolNeAR split (default dev)")
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="the first N articles of each split")
    parser.add_argument("--datasets", type=Path, default=REPO.parent / "shared" / "datasets",
                        help="folder holding polnear/ (default ../shared/datasets)")
    parser.add_argument("--referents", type=Path, default=REPO / "bench" / "polnear_referents.tsv",
                        help="canonical names of sources (default bench/polnear_referents.tsv)")
    parser.add_argument("--verbose", action="store_true", help="per-article figures and every wrong-person case")
    parser.add_argument("--json", action="store_true", help="print the tallies and figures as JSON instead")
    options = parser.parse_args()

    notes: list[str] = []
    articles = []
    for split in ("dev", "train") if options.split == "both" else (options.split,):
        articles += read_split(options.datasets / "polnear" / split, notes, options.limit)
    if not articles:
        sys.exit(f"no PolNeAR articles under {options.datasets / 'polnear'}")
    referents = read_referents(options.referents)
    with tempfile.TemporaryDirectory(prefix="factcheck-polnear-") as folder:
        marks = run_premark(articles, Path(folder), notes)

    rows: list[tuple[Article, Tally, Tally]] = []
    everything, subset, wrong_cases = Tally(), Tally(), list[str]()
    for article in articles:
        if article.name in marks:
            tallies = score_article(article, marks[article.name], referents, wrong_cases)
            rows.append((article, *tallies))
            everything.add(tallies[0])
            subset.add(tallies[1])
    if referents is not None:
        notes += unknown_referent_rows(referents, [article for article, _, _ in rows])
    if options.json:
        print(as_json(everything, subset, rows, options.verbose))
        return
    excluded = sum(not a.is_statement for article, _, _ in rows for a in article.attributions)
    print(f"premark on PolNeAR {options.split}: {len(rows)} of {len(articles)} article(s) scored "
          f"({len(articles) - len(rows)} offset mapping failure(s)), {everything.gold} attributions, "
          f"{excluded} of them outside the fact-checker subset (belief, feeling or intention cues)")
    if referents is None:
        print(f"no referents file at {options.referents}: referent-based figures skipped, speakers judged leniently")
    else:
        print(f"referents: {len(referents)} source row(s) from {options.referents}")
    print()
    print_table(everything, subset, referents is not None)
    if notes:
        print("\nnotes")
        for note in notes:
            print(f"  {note}")
    if options.verbose:
        print_articles(rows)
        print("\nwrong person (all attributions)")
        for case in wrong_cases:
            print(f"  {case}")


if __name__ == "__main__":
    main()
