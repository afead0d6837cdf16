"""Sentence boundaries fixed before the parser guesses them: the pipeline component get_nlp() adds.

Every line starts a sentence; a closing quote mark, an attribution after a quoted question and the words of a
dateline never do. Works on a Doc the tokenizer made; only the package's __init__ loads spaCy.
"""
from __future__ import annotations

import re

from annotations.premark.lexicon import SPEECH_FORMS
from annotations.premark.quotes import find_quote_regions
from annotations.premark.sentences import is_title_case

LINE_START_RE = re.compile(r"\n\s*(?=\S)")
# The last sentence end on a line, then words with no final punctuation up to the line end (trailing spaces
# included: a lazy group before "[ \t]*$" retried the whole run of spaces after each character it took).
GLUED_HEADING_RE = re.compile(r"[.!?][\"”’)]*[ \t]+([A-Z0-9][^.!?\n]*)$", re.MULTILINE)
# '“Why now?” she asked.' is one sentence: the attribution after a quoted question goes with it.
ATTRIBUTION_AFTER_QUESTION_RE = re.compile(
    rf"[?!][\"”’'][ \t]+((?:[A-Z][\w’'.-]*[ \t]+){{0,3}}(?:{SPEECH_FORMS})\b|(?:he|she|they|it|we|I)[ \t]+(?:{SPEECH_FORMS})\b)"
)
# "ESTMARK, Oct 14 (Wire) – The council ...": a dateline starts the sentence it belongs to.
DATELINE_RE = re.compile(r"^[A-Z][A-Z .'-]+, [A-Z][a-z]+\.? \d{1,2} \([^)\n]+\) [–—-] ", re.MULTILINE)


def set_paragraph_breaks(doc):
    """Fix sentence boundaries before the parser guesses them.

    The small English model runs sentences on across newlines, glues a heading that ends a line
    onto the next paragraph, starts a sentence at the closing mark of '... seen."', and splits
    '“Why now?” she asked.' and datelines. So: every line starts a sentence, a Title Case fragment
    after a line's last full stop starts one, and a closing quote mark, an attribution after a
    quoted question and the words of a dateline never do.
    """
    text = doc.text
    for match in LINE_START_RE.finditer(text):
        _start_sentence_at(doc, match.end())
    for match in GLUED_HEADING_RE.finditer(text):
        words = match.group(1).split()
        if len(words) >= 2 and is_title_case(words):
            _start_sentence_at(doc, match.start(1))
    for region in find_quote_regions(text):
        if region.is_closed:
            _continue_sentence_at(doc, region.end_mark - 1)
    for match in ATTRIBUTION_AFTER_QUESTION_RE.finditer(text):
        _continue_sentence_at(doc, match.start(1))
    for match in DATELINE_RE.finditer(text):
        dateline = doc.char_span(match.start(), match.end(), alignment_mode="expand")
        for token in dateline[1:] if dateline is not None else ():
            token.is_sent_start = False
        _continue_sentence_at(doc, match.end())
    return doc


def _start_sentence_at(doc, offset: int) -> None:
    span = doc.char_span(offset, offset + 1, alignment_mode="expand")
    if span and span.start > 0:
        span[0].is_sent_start = True


def _continue_sentence_at(doc, offset: int) -> None:
    """The token at offset does not start a sentence, unless a line break already made it start one."""
    span = doc.char_span(offset, offset + 1, alignment_mode="expand")
    if span and span.start > 0 and span[0].is_sent_start is not True:
        span[0].is_sent_start = False
