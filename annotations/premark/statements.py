"""One statement, one mark: a reported clause takes in the partial quotes it holds, and a quoted word or two
is a mark only inside the statement it belongs to.

'X said the plan was “a disgrace”' is one statement by X: one mark, the reported clause, whose reasons name the
quoted words. A direct quote inside a reported clause of someone else ('Lee said the union called it “a
disgrace”') is a statement of its own and stays a mark.
"""
from __future__ import annotations

from dataclasses import replace

from annotations.premark.quotes import Quote

QUOTED_REASON_CHARS = 60  # longer quoted words are cut with "…" in the reason: a reason is a label, not a copy


def one_mark_per_statement(text: str, direct: list[Quote], reported: list[Quote]) -> list[Quote]:
    """The reported clauses, each with a 'quoted: “…”' reason per direct quote of its speaker it holds, and
    the direct quotes no such clause holds, except fragments (Quote.is_fragment)."""
    quoted: dict[int, list[Quote]] = {}
    alone = []
    for quote in direct:
        holder = next((n for n, clause in enumerate(reported) if _holds(clause, quote)), None)
        if holder is not None:
            quoted.setdefault(holder, []).append(quote)
        elif not quote.is_fragment:
            alone.append(quote)
    merged = [
        replace(clause, reasons=(*clause.reasons, *(_quoted_reason(text, q) for q in quoted.get(n, []))))
        for n, clause in enumerate(reported)
    ]
    return alone + merged


def _holds(clause: Quote, quote: Quote) -> bool:
    """The clause contains the quote and is the same person's: the quote's speaker, or none was found for it."""
    if not (clause.start <= quote.start and quote.end <= clause.end):
        return False
    return quote.speaker is None or (clause.speaker is not None and clause.speaker.name == quote.speaker.name)


def _quoted_reason(text: str, quote: Quote) -> str:
    words = text[quote.start:quote.end]
    if len(words) > QUOTED_REASON_CHARS:
        words = words[:QUOTED_REASON_CHARS - 1].rstrip() + "…"
    return f"quoted: “{words}”"
