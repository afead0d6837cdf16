"""Direct quotes in any common quote-mark style, with their speakers, and the speech verbs they share
with reported speech (reported_speech.py).

Quote marks are paired on the raw text (so apostrophes, scare quotes and quoted titles can be told
apart from speech); the parse supplies the speech verb and its subject. Pure functions over a parsed
spaCy Doc; only the package's __init__ loads spaCy.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from annotations.premark.lexicon import ELISIONS, NAMING_CUES, QUOTING_VERBS, SOURCE_NOUNS, SUBJECT_DEPS
from annotations.premark.speakers import NamedSpeaker, People, carried_over

CLIMB_DEPS = frozenset({"advcl", "xcomp", "conj", "pcomp", "prep", "acl", "dobj", "pobj"})
# A quoted phrase in one of these roles under a speech verb's clause is a name ("the "coalition" will
# meet"), not the speaker's words.
NAME_ROLE_DEPS = SUBJECT_DEPS | {"dative", "compound", "poss"}

QUOTE_MARK_RE = re.compile(r"[\"“”‘’']")
# Anchored at line starts: unanchored, a line of spaces alone (a long text can be cut inside one) was retried from
# each of its characters, quadratic in its length.
LINE_RE = re.compile(r"^[^\S\n]*\S[^\n]*", re.MULTILINE)
BULLET_RE = re.compile(r"[-*•–]\s+")  # at a line start: "- ", "* ", "• ", "– "
LATER_SINGLE_CLOSE_RE = re.compile(r"\S['’](?!\w)")
OPENING_CONTEXT = " \t([{—–-/"
SENTENCE_END = frozenset(".!?")
QUOTE_CHARS = frozenset("\"“”‘’'")
# Words that can stand between a closing mark and its speech verb: ', the city's mayor, Ann Lee, said'.
# "sick", "nasty guy": a quote of at most this many words is a fragment unless it is a statement of its own.
FRAGMENT_MAX_WORDS = 2
ATTRIBUTION_WINDOW_POS = frozenset({"PUNCT", "PRON", "PROPN", "NOUN", "DET", "ADJ", "ADV", "AUX", "PART"})


@dataclass(frozen=True)
class QuoteRegion:
    """One pair of quote marks (or an opening mark that runs on to the next paragraph)."""

    open_at: int  # offset of the opening mark
    start: int  # the quoted words with their punctuation, without the marks and outer spaces
    end: int
    end_mark: int  # offset just past the closing mark, or the paragraph end when there is none
    is_closed: bool
    paragraph: int  # index of the paragraph (line) it is in
    runs_on: bool  # still open at the paragraph's end, and the next paragraph opens again
    resumes: bool = False  # opens the paragraph after one whose quote ran on: the same quotation


@dataclass(frozen=True)
class Quote:
    start: int
    end: int
    kind: str  # "direct" or "reported"
    speaker: NamedSpeaker | None
    score: float
    reasons: tuple[str, ...]
    # A quoted word or two lifted into the writer's sentence ('the "unstable" plan', 'was "sick"'): a mark only
    # inside the reported clause that holds it (statements.py), never on its own.
    is_fragment: bool = False


def find_quote_regions(text: str) -> list[QuoteRegion]:
    """Pair quote marks paragraph by paragraph, skipping apostrophes and nested single quotes."""
    lines = nonblank_line_bounds(text)
    regions: list[QuoteRegion] = []
    for n, (start, end) in enumerate(lines):
        next_opens = n + 1 < len(lines) and text[lines[n + 1][0]] in {"“", '"'}
        for region in _regions_in_line(text, start, end, n, next_opens):
            previous = regions[-1] if regions else None
            if previous and previous.runs_on and previous.paragraph == n - 1 and region.open_at == start:
                region = replace(region, resumes=True)
            regions.append(region)
    return regions


def nonblank_line_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line, without its outer spaces."""
    spans = []
    for match in LINE_RE.finditer(text):
        line = match.group()
        spans.append((match.start() + len(line) - len(line.lstrip()), match.end() - len(line) + len(line.rstrip())))
    return spans


def _regions_in_line(text: str, start: int, end: int, paragraph: int, next_opens: bool) -> list[QuoteRegion]:
    regions = []
    double_open = single_open = None
    for match in QUOTE_MARK_RE.finditer(text, start, end):
        i = match.start()
        mark = text[i]
        before = text[i - 1] if i > start else " "
        after = text[i + 1] if i + 1 < end else " "
        if mark == "“" or (mark == '"' and double_open is None and _opens(before, after)):
            double_open = i
        elif mark in '”"' and double_open is not None:
            regions.append(_region(text, double_open, i, paragraph))
            double_open = None
        elif mark in "‘'’" and double_open is None and not _is_apostrophe(text, i, before, after):
            # A ’ typed as an opening mark still opens before a capital: ’We will act,’ she said.
            if single_open is None and _opens(before, after) and (mark in "‘'" or after.isupper()):
                single_open = i
            elif mark in "’'" and single_open is not None and _closes(before, after):
                # "the players' union" closes nothing when a real closing mark follows in the paragraph.
                if before == "s" and after == " " and LATER_SINGLE_CLOSE_RE.search(text, i + 1, end):
                    continue
                regions.append(_region(text, single_open, i, paragraph))
                single_open = None
    if double_open is not None:
        regions.append(_region(text, double_open, None, paragraph, line_end=end, runs_on=next_opens))
    return [region for region in regions if region]


def _opens(before: str, after: str) -> bool:
    return before in OPENING_CONTEXT and not after.isspace()


def _closes(before: str, after: str) -> bool:
    return not before.isspace() and not after.isalnum()


def _is_apostrophe(text: str, i: int, before: str, after: str) -> bool:
    """don't, Lopez's, O'Neill, '90s, 'em: an apostrophe, not a quote mark."""
    if before.isalnum() and after.isalnum():
        return True
    if not before.isalnum() and after.isdigit():
        return True
    return text[i + 1:i + 6].lower().startswith(ELISIONS)


def _region(text: str, open_at: int, close_at: int | None, paragraph: int, *,
            line_end: int = 0, runs_on: bool = False) -> QuoteRegion | None:
    end_mark = close_at + 1 if close_at is not None else line_end
    start, end = open_at + 1, close_at if close_at is not None else line_end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if not any(ch.isalnum() for ch in text[start:end]):
        return None
    return QuoteRegion(open_at, start, end, end_mark, close_at is not None, paragraph, runs_on)


class QuotedText:
    """Quick lookups in quoted stretches of text, which come in text order and do not overlap."""

    def __init__(self, spans: Iterable[tuple[int, int]]):
        self.spans = sorted(spans)
        self.starts = [start for start, _ in self.spans]

    def contains(self, offset: int) -> bool:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i >= 0 and offset < self.spans[i][1]


class SpeechVerbs:
    """Every speech verb in a doc with its resolved speaker, found in text order so pronouns can look back."""

    def __init__(self, doc, people: People, quoted: QuotedText):
        self.people = people
        self.quoted = quoted
        self.speakers: dict[int, NamedSpeaker | None] = {}  # speech verb -> its speaker
        self.sources: dict[int, NamedSpeaker | None] = {}  # "according" -> the source it names
        for token in doc:
            if is_speech_verb(token):
                self.speakers[token.i] = self._resolve(subject_of(token))
            elif token.lower_ == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
                self.sources[token.i] = self._resolve(_source_of(token))

    def _resolve(self, subject) -> NamedSpeaker | None:
        if subject is None:
            return None
        speaker = self.people.speaker(subject)
        # "the inspector who warns ..." inside someone's quote is no one a later "she" could mean.
        if speaker and not self.quoted.contains(subject.idx):
            self.people.note_speaker(subject.idx, speaker)
        return speaker

    def is_speech_verb(self, token) -> bool:
        return token.i in self.speakers


def is_speech_verb(token) -> bool:
    """A verb that can introduce someone's words (said, told, warned, asked, called ...)."""
    if token.lemma_ not in QUOTING_VERBS or not token.tag_.startswith("VB"):
        return False
    # "point" reports speech only as "point out"; "add paperwork", "claim 60 euros" and "posted the email"
    # report nothing.
    if token.lemma_ == "point":
        return any(child.dep_ == "prt" for child in token.children)
    return token.lemma_ not in {"add", "claim", "post"} or not any(child.dep_ == "dobj" for child in token.children)


def subject_of(verb):
    """The verb's subject, climbing from participles and shared subjects ("..., saying", "and said")."""
    token = verb
    for _ in range(4):
        subjects = [c for c in token.children if c.dep_ == "nsubj" or (c.dep_ == "nsubjpass" and token.lemma_ == "quote")]
        if subjects:
            # A headline parse can give "says" two subjects ("PM: '...', says minister"): the nearer one speaks.
            subject = min(subjects, key=lambda c: abs(c.i - token.i))
            if subject.i < token.i and any(t.text in QUOTE_CHARS and t.tag_ != "POS" for t in token.doc[subject.i:token.i]):
                subject = _noun_after(token) or subject
            # "the man who said": the relative pronoun stands for the noun it follows.
            if subject.lower_ in {"who", "that", "which"} and token.dep_ == "relcl":
                return token.head
            return subject
        # 'Ann Lee, the party's spokesman, called it "a start" but argued ...': a finite verb the parser
        # hangs on a noun (as a reduced relative or a conjunct) has that noun for its subject.
        if token.dep_ in {"acl", "conj"} and token.tag_ in {"VBD", "VBZ"} and token.head.pos_ in {"NOUN", "PROPN"}:
            return token.head
        if token.dep_ not in CLIMB_DEPS or token.head.i == token.i:
            return None
        token = token.head
    return None


def _noun_after(verb):
    """'..., says minister' at a clause end: the inverted subject the parser missed."""
    doc = verb.doc
    i = verb.i + 1
    while i < len(doc) and doc[i].pos_ in {"DET", "ADJ", "NOUN", "PROPN"} and i - verb.i <= 4:
        i += 1
    if i == verb.i + 1 or (i < len(doc) and not (doc[i].is_punct or doc[i].is_space)):
        return None
    return doc[i - 1] if doc[i - 1].pos_ in {"NOUN", "PROPN"} else None


@dataclass
class _Candidate:
    region: QuoteRegion
    speaker: NamedSpeaker | None
    reasons: list[str]
    is_attributed: bool  # a speech verb introduces it, even if its subject could not be named
    is_fragment: bool = False


def find_direct_quotes(doc, text: str, regions: list[QuoteRegion], verbs: SpeechVerbs) -> list[Quote]:
    """The quote-mark regions that hold someone's words, each with its speaker; scare quotes and titles
    are left out."""
    candidates: list[_Candidate] = []
    for region in regions:
        words = doc.char_span(region.start, region.end, alignment_mode="expand")
        marks = doc.char_span(region.open_at, region.end_mark, alignment_mode="expand")
        if words is None or marks is None or _is_name_or_title(doc, marks, words):
            continue
        verb = _attributing_verb(doc, words, marks, verbs)
        reasons = ["direct quote"]
        if region.runs_on or region.resumes:
            reasons.append("continues over paragraphs")
        if verb is not None:
            # Someone's words lifted into the writer's sentence start in lower case: 'called it "a step"'.
            if text[region.start].islower() and not region.resumes:
                reasons.append("partial quote")
            is_fragment = not (region.runs_on or region.resumes) and _is_fragment(doc, words, marks, verbs)
            candidates.append(_Candidate(region, verbs.speakers[verb.i], reasons, True, is_fragment))
        elif region.runs_on or region.resumes or _is_sentence_like(words, text, region):
            candidates.append(_Candidate(region, None, reasons, False))
    _share_speakers_along_runs(candidates)
    _take_speakers_from_context(doc, text, candidates, verbs)
    return [
        Quote(c.region.start, c.region.end, "direct", c.speaker, 0.9 if c.speaker else 0.7,
              with_speaker_reason(c.reasons, c.speaker), c.is_fragment)
        for c in candidates
    ]


def _is_fragment(doc, words, marks, verbs: SpeechVerbs) -> bool:
    """A quoted word or two that is neither all the speaker said ('“Never,” she said.', 'She said: “No.”')
    nor the object or complement of the speech verb ('called it “sick”', 'warned of “grave risks”')."""
    if sum(any(ch.isalnum() for ch in t.text) for t in words) > FRAGMENT_MAX_WORDS:
        return False
    return not (_stands_alone(doc, marks, verbs) or _is_said_outright(words, verbs))


def _stands_alone(doc, marks, verbs: SpeechVerbs) -> bool:
    """The marks open their sentence or follow 'said:' / 'said,': nothing of the writer's is around the words."""
    before = [t for t in doc[marks.sent.start:marks.start] if not (t.is_punct or t.is_space)]
    if not before:
        return True
    i = marks.start - 1
    return doc[i].text == ":" or (doc[i].text == "," and i > 0 and verbs.is_speech_verb(doc[i - 1]))


def _is_said_outright(words, verbs: SpeechVerbs) -> bool:
    """The speech verb takes the quoted words as its object or complement, over quote marks, at most one
    preposition ('described it as “unstable”') and the object they follow ('calling the ruling “a disgrace”',
    'called the plan “deeply unfair”', which the parser may read as an apposition or a modifier)."""
    child, head = words.root, words.root.head
    prepositions = 0
    while head.i != child.i and (head.is_punct or (head.dep_ == "prep" and prepositions == 0)
                                 or (child.dep_ in {"appos", "amod"} and head.dep_ == "dobj" and head.i < child.i)):
        prepositions += head.dep_ == "prep"
        child, head = head, head.head
    if not verbs.is_speech_verb(head) or child.dep_ in SUBJECT_DEPS:
        return False
    # "told “Fox” on Sunday": whom someone tells or asks is not what they said.
    return not (head.lemma_ in {"tell", "ask"} and child.dep_ in {"dobj", "dative"})


def _is_name_or_title(doc, marks, words) -> bool:
    """Scare quotes and titles: the film "Oppenheimer", so-called "experts", a "Title In Capitals"."""
    if _follows_naming_cue(doc, marks.start) and _names_the_cue(words, doc[marks.start - 1]):
        return True
    # 'a “prevention of future deaths” report', 'the "Safe Streets" act': a label in front of its noun,
    # unless someone is said to call it that ('what she called a ‘papers, please’ internet').
    after = doc[marks.end] if marks.end < len(doc) else None
    if after is not None and after.pos_ == "NOUN" and words.root.head.i == after.i \
            and after.head.lemma_ not in {"call", "describe", "label", "term", "dub", "brand"}:
        return True
    alpha = [t for t in words if t.is_alpha]
    # The recogniser calls a title a work of art from end to end; it also tags bits of ordinary speech.
    if alpha and all(t.ent_type_ == "WORK_OF_ART" for t in alpha):
        return True
    # Capitalised beyond its first word, as titles are: "Blue Harbour", not "Not now".
    is_capitalised = all(t.is_title or t.is_stop for t in alpha) and any(t.is_title for t in alpha[1:])
    return len(alpha) <= 8 and is_capitalised and words[-1].text not in SENTENCE_END and not _has_verb(words)


def _names_the_cue(words, cue) -> bool:
    """'the report "Counting the Cost"' names the report; 'took the report "very seriously"' does not."""
    root = words.root
    return cue.pos_ != "NOUN" or root.head.i == cue.i or root.pos_ in {"NOUN", "PROPN"}


def _follows_naming_cue(doc, i: int) -> bool:
    """'so-called', 'the film', 'dubbed', 'known as (the)' just before the opening mark."""
    if i > 1 and doc[i - 1].lower_ == "the":
        i -= 1
    before = doc[i - 1] if i > 0 else None
    if before is not None and before.lower_ == "as" and i > 1:
        # "known as", "known locally as", "known in Morvane as"; "described as" quotes someone.
        for token in reversed(doc[max(0, i - 6):i - 1]):
            if token.lower_ in {"known", "billed", "referred"}:
                return True
            if token.is_punct or token.lower_ == "described":
                return False
        return False
    if before is None or before.lower_ not in NAMING_CUES:
        return False
    # 'He called it "a disgrace"' quotes him; 'the so-called "experts"' and 'a plan dubbed "X"' name things.
    return before.tag_ not in {"VBD", "VBZ", "VBP"} or not any(c.dep_ == "nsubj" for c in before.children)


def _attributing_verb(doc, words, marks, verbs: SpeechVerbs):
    """The speech verb that introduces the quote: by the parse, or right after or before the marks."""
    for token in words:
        if not (marks.start <= token.head.i < marks.end):
            verb = _governing_speech_verb(token, verbs)
            if verb is not None:
                return verb
    return _verb_after(doc, marks.end, verbs) or _verb_before(doc, marks.start - 1, verbs)


def _governing_speech_verb(token, verbs: SpeechVerbs):
    """Walk up from the quoted words to a speech verb: 'said the plan was "a historic step"'."""
    if token.dep_ in NAME_ROLE_DEPS:
        return None
    child, head = token, token.head
    steps = 0
    while steps < 4:
        if head.i == child.i:
            return None
        if verbs.is_speech_verb(head):
            addressee = head.lemma_ in {"tell", "ask"} and child.dep_ in {"dobj", "dative"}
            return None if addressee or child.dep_ in SUBJECT_DEPS else head
        # 'said that A and that B showed "..."': the second clause is no deeper than the first.
        steps += child.dep_ != "conj"
        child, head = head, head.head
    return None


def _verb_after(doc, i: int, verbs: SpeechVerbs):
    """', she said' / ', said Lopez' / ', Lopez, the mayor, said' right after the closing mark."""
    for token in doc[i:i + 12]:
        if verbs.is_speech_verb(token):
            return token
        if _ends_attribution_window(token) or token.pos_ not in ATTRIBUTION_WINDOW_POS:
            return None
    return None


def _verb_before(doc, i: int, verbs: SpeechVerbs):
    """'Lopez said on Monday: "' / 'said Lopez, "' right before the opening mark."""
    if i < 0:
        return None
    if verbs.is_speech_verb(doc[i]):
        return doc[i]
    if doc[i].text not in {":", ","}:
        return None
    for token in reversed(doc[max(0, i - 8):i]):
        if _ends_attribution_window(token):
            return None
        if verbs.is_speech_verb(token):
            return token
    return None


def _ends_attribution_window(token) -> bool:
    return "\n" in token.text or token.text in SENTENCE_END or token.text in QUOTE_CHARS


def _has_verb(words) -> bool:
    return any(t.pos_ in {"VERB", "AUX"} for t in words)


def _is_whole_clause(words) -> bool:
    """A quoted clause with its own subject and verb, not a phrase lifted into the reporter's sentence."""
    return _has_verb(words) and any(t.dep_ in SUBJECT_DEPS or t.dep_ == "expl" for t in words)


def _is_sentence_like(words, text: str, region: QuoteRegion) -> bool:
    """Unattributed words that still read as speech: a clause of four words or more, or a whole
    sentence inside the marks ("Not in 40 years.")."""
    if sum(t.is_alpha for t in words) >= 4 and _is_whole_clause(words):
        return True
    ends_sentence = text[region.end - 1] in SENTENCE_END
    return text[region.start].isupper() and ends_sentence and sum(t.is_alpha for t in words) >= 2


def _share_speakers_along_runs(candidates: list[_Candidate]) -> None:
    """A quotation that runs over several paragraphs has one speaker, named in any of them."""
    run: list[_Candidate] = []
    for candidate in [*candidates, None]:
        if candidate is not None and candidate.region.resumes and run:
            run.append(candidate)
            continue
        speaker = next((c.speaker for c in run if c.speaker), None)
        for member in run:
            member.speaker = member.speaker or speaker
        run = [candidate] if candidate is not None else []


def _take_speakers_from_context(doc, text: str, candidates: list[_Candidate], verbs: SpeechVerbs) -> None:
    """An unattributed quote is the speaker's of the nearest attributed quote in its paragraph; of the
    previous paragraph when that one ends by introducing it ("Lopez said:") or with her quote; or of
    the person its paragraph was about so far."""
    by_paragraph: dict[int, list[_Candidate]] = {}
    for candidate in candidates:
        by_paragraph.setdefault(candidate.region.paragraph, []).append(candidate)
    lines = nonblank_line_bounds(text)
    for candidate in candidates:
        if candidate.speaker is not None or candidate.is_attributed:
            continue
        here = [c for c in by_paragraph[candidate.region.paragraph] if c.speaker]
        before = [c for c in here if c.region.open_at < candidate.region.open_at]
        if before:
            candidate.speaker = before[-1].speaker
        elif here:
            candidate.speaker = here[0].speaker
        elif candidate.region.open_at == lines[candidate.region.paragraph][0]:
            candidate.speaker = _speaker_ending_paragraph(doc, text, candidate.region.paragraph - 1, lines,
                                                          by_paragraph, verbs)
        else:
            # 'Ferrandis laughed. "I'm going to sleep first."'
            candidate.speaker = verbs.people.person_between(lines[candidate.region.paragraph][0],
                                                            candidate.region.open_at)
        if candidate.speaker is not None:
            candidate.speaker = carried_over(candidate.speaker)
            candidate.reasons.append("speaker from context")


def _speaker_ending_paragraph(doc, text: str, paragraph: int, lines, by_paragraph,
                              verbs: SpeechVerbs) -> NamedSpeaker | None:
    if paragraph < 0:
        return None
    _start, end = lines[paragraph]
    if text[end - 1] == ":":
        # "She gave her verdict:" introduces the quote below even without a speech verb.
        colon = doc.char_span(end - 1, end, alignment_mode="expand")
        root = colon[0].sent.root if colon is not None else None
        if root is None or root.i in verbs.speakers:
            return verbs.speakers.get(root.i) if root is not None else None
        subject = subject_of(root)
        return verbs.people.speaker(subject) if subject is not None else None
    quoted = by_paragraph.get(paragraph)
    if quoted and quoted[-1].speaker and text[quoted[-1].region.end_mark:end].strip(" .,") == "":
        return quoted[-1].speaker
    return None


def with_speaker_reason(reasons: list[str], speaker: NamedSpeaker | None) -> tuple[str, ...]:
    if speaker is None:
        return (*reasons, "no speaker found")
    if speaker.how and "speaker from context" not in reasons:
        return (*reasons, f"speaker {speaker.how}")
    return tuple(reasons)


def _source_of(according):
    """X in 'according to X'; for 'figures released by the office' or 'the committee's figures', the
    office or the committee."""
    to = according.doc[according.i + 1]
    source = next((c for c in to.children if c.dep_ == "pobj"), None)
    if source is None or source.lower_ not in SOURCE_NOUNS:
        return source
    owner = next((c for c in source.children if c.dep_ == "poss"), None)
    if owner is not None:
        return owner
    publisher = next((t for t in source.subtree if t.dep_ == "pobj" and t.head.lower_ in {"by", "from", "of"}), None)
    return publisher or source
