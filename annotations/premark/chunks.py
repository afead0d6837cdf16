"""Long texts cut at paragraph breaks into chunks the pipeline parses separately, so memory is bounded by the chunk
size and time grows linearly with the text. A cut never falls inside a quotation that runs over paragraphs.
"""
from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass

from annotations.premark.quotes import BULLET_RE, QUOTE_CHARS, nonblank_line_bounds

# spaCy holds about 3.5 MB per 1,000 characters it parses at once, and its sentence setting and our
# sentence-by-quote scan slow down per character as a text grows: at 100,000 characters a text costs about 360 MB
# above the loaded pipeline and 10-35% more CPU time per character than in chunks of 50,000. A text up to twice the
# chunk size is still parsed whole, so no news article is ever cut (every gold, sample and PolNeAR article is
# under 35,000 characters).
CHUNK_CHARS = 50_000
MAX_PARSED_CHARS = 2 * CHUNK_CHARS  # the most spaCy is ever given at once


@dataclass(frozen=True)
class Chunk:
    offset: int  # where the chunk's text starts in the whole text
    text: str


def split_into_chunks(text: str, max_chars: int = CHUNK_CHARS) -> list[Chunk]:
    """The text as consecutive chunks of at most max_chars characters, or as one chunk if it has no more than
    twice that.

    Each cut is at the latest good break in the chunk's second half if there is one, else in all of it. In order
    of preference: a blank line, then a line break, where the rules need nothing from across the break (see
    _breaks_by_preference); then any line break; then any whitespace; and only in a line longer than max_chars,
    max_chars in.
    """
    if len(text) <= 2 * max_chars:
        return [Chunk(0, text)]
    tiers = _breaks_by_preference(text)
    chunks = []
    start = 0
    while len(text) - start > max_chars:
        end = _best_break(text, tiers, start, start + max_chars)
        chunks.append(Chunk(start, text[start:end]))
        start = end
    chunks.append(Chunk(start, text[start:]))
    return chunks


def _breaks_by_preference(text: str) -> list[list[int]]:
    """Offsets where a line starts, in three sorted lists, best first: after a blank line, after a line break,
    and any line start at all.

    The first two leave out every line start the rules read across: a line opening with a quote mark (a
    quotation running on from the paragraph before, or an unattributed quote taking its speaker from there), a
    bullet (it takes its speaker from the line introducing the list), and any line after one ending in a colon
    ("Lopez said:").
    """
    lines = nonblank_line_bounds(text)
    after_blank_line: list[int] = []
    after_line_break: list[int] = []
    any_line: list[int] = []
    for (_, previous_end), (start, end) in itertools.pairwise(lines):
        any_line.append(start)
        if text[start] in QUOTE_CHARS or BULLET_RE.match(text, start, end) or text[previous_end - 1] == ":":
            continue
        is_paragraph = text.count("\n", previous_end, start) >= 2
        (after_blank_line if is_paragraph else after_line_break).append(start)
    return [after_blank_line, after_line_break, any_line]


def _best_break(text: str, tiers: list[list[int]], start: int, limit: int) -> int:
    """Where the chunk from start ends: at most limit, and after start."""
    # Half full at least when the text allows it, or a text with one early blank line would go in slivers.
    for lowest in (start + (limit - start) // 2, start):
        for breaks in tiers:
            i = bisect.bisect_right(breaks, limit) - 1
            if i >= 0 and breaks[i] > lowest:
                return breaks[i]
    space = max(text.rfind(" ", start + 1, limit), text.rfind("\n", start + 1, limit), text.rfind("\t", start + 1, limit))
    return space + 1 if space > start else limit
