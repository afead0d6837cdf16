"""Reported speech: the clause a speech verb or "according to" reports, with its speaker.

'X said (that) ...', '..., X said', 'X told reporters ...', '..., saying ...', 'according to X, ...' and
the bullets after 'According to X:'. The span is the reported clause only: no "that", no attribution,
no final full stop. Pure functions over a parsed spaCy Doc; only the package's __init__ loads spaCy.
"""
from __future__ import annotations

from annotations.premark.lexicon import CLAUSE_REPORTING_VERBS, EVIDENCE_NOUNS, QUESTION_WORDS, SUBJECT_DEPS
from annotations.premark.quotes import (
    BULLET_RE,
    QUOTE_CHARS,
    Quote,
    QuotedText,
    QuoteRegion,
    SpeechVerbs,
    is_speech_verb,
    nonblank_line_bounds,
    subject_of,
    with_speaker_reason,
)
from annotations.premark.speakers import NamedSpeaker


def find_reported_speech(doc, text: str, regions: list[QuoteRegion], verbs: SpeechVerbs) -> list[Quote]:
    """Every reported clause, scored, with the speaker of its verb or source."""
    quoted = verbs.quoted
    found = []
    for i, speaker in verbs.speakers.items():
        verb = doc[i]
        if verb.lemma_ not in CLAUSE_REPORTING_VERBS or quoted.contains(verb.idx) or not _reports_speech(verb):
            continue
        found += [(span, speaker) for span in _reported_clauses(verb, quoted)]
    for i, source in verbs.sources.items():
        span = _according_to(doc[i])
        if span is not None:
            found.append((span, source))
    found += _bulleted_reports(doc, text, verbs)
    quotes = []
    for (start, end), speaker in found:
        end = _past_open_quotes(start, end, regions)
        score = 0.85 if speaker else 0.6
        quotes.append(Quote(start, end, "reported", speaker, score, with_speaker_reason(["reported speech"], speaker)))
    return quotes


def _reports_speech(verb) -> bool:
    """Not denied ('did not say'), and said by someone rather than shown by evidence ('figures suggest')."""
    if any(c.dep_ == "neg" for c in verb.children):
        return False
    subject = subject_of(verb)
    return subject is None or subject.lemma_.lower() not in EVIDENCE_NOUNS


def _reported_clauses(verb, quoted: QuotedText) -> list[tuple[int, int]]:
    """The clauses a speech verb reports, as character offsets; 'said that A and that B' gives two."""
    # 'Some argue that ...; others say ...' can give "say" both clauses: its own is the one after it,
    # and one before it that is someone else's speech is not.
    clauses = [c for c in verb.children if c.dep_ == "ccomp" and not (c.i < verb.i and _is_own_speech(c))]
    clause = next((c for c in clauses if c.i > verb.i), clauses[0] if clauses else None)
    if clause is not None:
        if quoted.contains(_first_word_of(list(clause.subtree)).idx) or not _has_subject(clause):
            # 'She said: "We will act."' is a direct quote, attributed there; 'a finding its authors say
            # should change ...' has no clause of its own. 'said the figures were "worrying"' reports.
            return []
        parts = _coordinated(clause)
    elif (clause := _misattached_that_clause(verb)) is not None:
        parts = _coordinated(clause)
    elif (verb.dep_ == "parataxis" and verb.i > verb.head.i) or _is_trailing_attribution(verb):
        # "The plan will fail, she said.": the reported words are the rest of the head clause.
        skip = {t.i for t in verb.subtree}
        parts = [[t for t in verb.head.subtree if t.i not in skip and t.i < verb.left_edge.i]]
    else:
        return []
    # '"Every lorry will be searched," he said, "and ..."' is his direct quote, not a report of it.
    parts = [tokens for tokens in parts if tokens and not quoted.contains(_first_word_of(tokens).idx)]
    return [span for tokens in parts if (span := _trimmed(tokens)) is not None]


def _is_trailing_attribution(verb) -> bool:
    """'X will cut 240 jobs, director Ann Lee told staff.': the parser may make "told" a conjunct of "cut";
    a comma right before its own subject says it attributes what came before."""
    subject = next((c for c in verb.children if c.dep_ in SUBJECT_DEPS), None)
    if verb.dep_ != "conj" or verb.i < verb.head.i or subject is None or subject.i > verb.i:
        return False
    before = subject.left_edge.i - 1
    return before > verb.head.i and verb.doc[before].text == ","


def _first_word_of(tokens):
    return next((t for t in tokens if not (t.is_punct or t.is_space)), tokens[0])


def _coordinated(clause) -> list[list]:
    """'that A and that B' is two reported clauses; 'that A and B' one. A participle ('..., saying he
    will attend') or a finite speech verb joined on without a subject ('said it would strike, and called the
    offer “an insult”') inside the clause is a statement of its own, reported on its own."""
    tokens = list(clause.subtree)
    cut = next((t.i for t in tokens[1:] if _starts_another_statement(t)), None)
    if cut is not None:
        tokens = [t for t in tokens if t.i < cut]
    second = next((c for c in clause.children if c.dep_ == "conj" and _has_that(c)), None)
    if second is None:
        return [tokens]
    # The first clause ends before the "and" that joins the second.
    first_end = min(t.i for t in second.subtree) - 1
    while first_end > clause.i and clause.doc[first_end].dep_ in {"cc", "punct"}:
        first_end -= 1
    return [[t for t in tokens if t.i <= first_end], *_coordinated(second)]


def _starts_another_statement(token) -> bool:
    if not is_speech_verb(token):
        return False
    if token.dep_ == "advcl" and token.tag_ == "VBG":
        return True
    # The parser often joins the reporter's second verb to the reported clause's verb rather than to the first
    # speech verb; one with no subject of its own is the reporter's.
    return token.dep_ == "conj" and token.tag_ in {"VBD", "VBZ"} and not any(c.dep_ in SUBJECT_DEPS for c in token.children)


def _has_that(clause) -> bool:
    return any(c.dep_ == "mark" and c.lower_ == "that" for c in clause.children)


def _has_subject(clause) -> bool:
    return any(c.dep_ in SUBJECT_DEPS or c.dep_ in {"expl", "csubj"} for c in clause.children)


def _is_own_speech(clause) -> bool:
    """A clause that is itself someone's speech ('Some argue ...') is not another verb's content."""
    return is_speech_verb(clause) and any(c.dep_ == "nsubj" for c in clause.children)


def _misattached_that_clause(verb):
    """'told reporters after the vote that ...': the small model often hangs the that-clause on the
    nearest noun; take one whose way up to the speech verb passes no other verb."""
    for token in verb.doc[verb.i + 1:verb.right_edge.i + 1]:
        if token.dep_ in {"acl", "advcl", "relcl"} and _has_that(token):
            head = token.head
            while head.i != verb.i and head.pos_ not in {"VERB", "AUX"} and head.head.i != head.i:
                head = head.head
            if head.i == verb.i:
                return token
    return None


def _according_to(according) -> tuple[int, int] | None:
    """The clause that 'According to X, ...' or '..., according to X' reports."""
    head = according.head
    skip = {t.i for t in according.subtree}
    clause = [t for t in head.subtree if t.i not in skip]
    before = [t for t in clause if t.i < according.i]
    after = [t for t in clause if t.i > according.i]
    return _trimmed(after if sum(t.is_alpha for t in after) > sum(t.is_alpha for t in before) else before)


def _bulleted_reports(doc, text: str, verbs: SpeechVerbs) -> list[tuple[tuple[int, int], NamedSpeaker | None]]:
    """'According to the board:' or 'The board said:' then a bulleted list: each bullet is reported."""
    found = []
    lines = nonblank_line_bounds(text)
    introductions = sorted([*verbs.speakers.items(), *verbs.sources.items()])
    for n, (start, end) in enumerate(lines[1:], start=1):
        marker = BULLET_RE.match(text, start, end)
        if marker is None:
            continue
        intro = n - 1
        while intro >= 0 and BULLET_RE.match(text, *lines[intro]):
            intro -= 1
        intro_start, intro_end = lines[intro] if intro >= 0 else (0, 0)
        if intro < 0 or text[intro_end - 1] != ":":
            continue
        last_stop = max(text.rfind(". ", intro_start, intro_end), intro_start)
        speakers = [speaker for i, speaker in introductions if last_stop <= doc[i].idx < intro_end]
        if speakers:
            item_end = end - 1 if text[end - 1] in ";." else end
            found.append(((marker.end(), item_end), speakers[-1]))
    return found


def _trimmed(tokens) -> tuple[int, int] | None:
    """Offsets of tokens without a leading "that", outer punctuation and spaces; None if too short."""
    while tokens and ((tokens[0].dep_ == "mark" and tokens[0].lower_ == "that") or tokens[0].is_punct
                      or tokens[0].is_space):
        tokens = tokens[1:]
    while tokens and (tokens[-1].is_space or tokens[-1].dep_ == "cc"
                      or (tokens[-1].is_punct and tokens[-1].text not in QUOTE_CHARS | {"?", "!"})):
        tokens = tokens[:-1]
    # "asked whether ..." reports a question; "If it is approved, the cap would ..., she said" a statement.
    is_question = tokens and tokens[0].lower_ in QUESTION_WORDS and tokens[0].head.dep_ != "advcl"
    if sum(t.is_alpha for t in tokens) < 3 or is_question:
        return None
    if not any(t.pos_ in {"VERB", "AUX"} for t in tokens):
        return None
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)


def _past_open_quotes(start: int, end: int, regions: list[QuoteRegion]) -> int:
    """Reported words that open a quote run to its closing mark, which the parse may have left out."""
    for region in regions:
        if start <= region.open_at < end < region.end_mark:
            end = region.end_mark
    return end
