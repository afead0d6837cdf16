"""The article page's heavy parts, the highlighted text and the mark panels (`MarkPanel`), rendered once
and reused.

A 400-mark article is some 800 highlighted pieces and 400 panels: rendering them on every view
would cost most of a second. Each panel is cached under its mark's version (every change bumps it),
each paragraph of the text under the spans, kinds, verdicts and speakers of the marks in it, so no
change to a mark can leave a stale copy.
Names that change without a new version (a renamed user, a retitled article) show their old form
in a panel until its entry expires (CACHE_SECONDS). The cache is the "fragments" one in settings.
"""
from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property, partial
from typing import TYPE_CHECKING, TypedDict

from django import forms
from django.conf import settings
from django.core.cache import caches
from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from annotations.forms import VERDICT_CHOICES, ClaimChangeForm, EvidenceForm, NoteForm, SpeakerForm
from annotations.models import LABEL_PERMISSION, Article, AuditEvent, Claim

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CACHE_SECONDS = 3600


class Piece(TypedDict):
    """A run of text under the same marks; `speaker` names the quotes that begin there."""

    text: str
    marks: list[Claim]
    speaker: str


class Paragraph(TypedDict):
    """A paragraph known by the offset where it starts, and the newlines that follow it."""

    start: int
    pieces: list[Piece]
    gap: str


@dataclass
class MarkPanel:
    """One mark as `_claim.html` shows it: its forms and, after a refused change, what went wrong.

    The form that failed replaces its fresh copy, so the user's input survives a 400 or a 409. The
    note, speaker and evidence forms are built only when shown (a page may list hundreds of marks).
    """

    claim: Claim
    failed_form: forms.Form | None = None
    conflict: AuditEvent | None = None
    # Opened from the review queue: its forms say so (next=queue), and a label moves on to the next mark.
    in_queue: bool = False
    # The same claim already labelled in another article, if the index found one.
    match: Claim | None = None
    # Show the note, speaker and evidence forms at once instead of loading them when opened.
    expanded: bool = False

    def _form(self, form_class: type[ClaimChangeForm], **initial) -> forms.Form:
        if type(self.failed_form) is form_class:
            return self.failed_form
        return form_class(claim=self.claim, initial=initial)

    @cached_property
    def note_form(self) -> forms.Form:
        return self._form(NoteForm, note=self.claim.note)

    @cached_property
    def speaker_form(self) -> forms.Form:
        return self._form(SpeakerForm, speaker=self.claim.speaker)

    @cached_property
    def evidence_form(self) -> forms.Form:
        return self._form(EvidenceForm)

    @property
    def shows_opinions(self) -> bool:
        return Claim.is_second_opinion_required()

    @property
    def is_editing(self) -> bool:
        """A note, speaker or evidence form was refused: show it open, with what was typed."""
        return type(self.failed_form) in (NoteForm, SpeakerForm, EvidenceForm)

    @property
    def verdicts(self) -> list[tuple[str, StrOrPromise, StrOrPromise]]:
        """(value, label, meaning) of each verdict a person can give."""
        return [(value, label, Claim.VERDICT_HELP[value]) for value, label in VERDICT_CHOICES]


def _csrf_stand_in() -> str:
    """Panels hold forms and forms a CSRF token, which is each visitor's own: a cached panel holds this
    stand-in, and each response puts its visitor's token in its place. Derived from the secret key,
    so every process of a site agrees on it and no article text can guess it."""
    return "csrf-" + hashlib.sha256(f"{settings.SECRET_KEY}:panel-csrf".encode()).hexdigest()[:32]


def paragraphs(article: Article, marks: Iterable[Claim], *, start: int = 0, end: int | None = None) -> list[Paragraph]:
    """The body (or the whole paragraphs from start to end) as paragraphs of highlighted pieces, for
    `_paragraph.html`.

    Newlines stay in the page as text between the paragraphs, so the text's textContent equals
    the body and selection offsets match it. A paragraph is known by the offset where it starts,
    the same in the whole text and in a part of it. A quote's speaker is named where the quote begins.
    """
    result: list[Paragraph] = [{"start": start, "pieces": [], "gap": ""}]
    for offset, text, covering in article.segments(list(marks), start=start, end=end):
        for part in re.split(r"(\n+)", text):
            if part.startswith("\n"):
                result[-1]["gap"] += part
            elif part:
                if result[-1]["gap"]:
                    result.append({"start": offset, "pieces": [], "gap": ""})
                starting = [m.speaker for m in covering if m.kind == Claim.Kind.QUOTE and m.start == offset]
                result[-1]["pieces"].append(
                    {"text": part, "marks": covering, "speaker": ", ".join(filter(None, starting))})
            offset += len(part)
    return result


def paragraphs_around(article: Article, claim: Claim) -> list[Paragraph]:
    """The paragraphs a mark lies in, highlighted: all that a change to the mark redraws."""
    body = article.body
    start = body.rfind("\n", 0, claim.start) + 1
    newline = body.find("\n", claim.end)
    end = newline if newline != -1 else len(body)
    marks = article.claims.live().in_text_order().filter(start__lt=end, end__gt=start)
    return paragraphs(article, marks, start=start, end=end)


def article_text(article: Article, marks: list[Claim], *, start: int = 0, end: int | None = None) -> SafeString:
    """The highlighted body, or its section from start to end (the inside of `_article_text.html`); a
    paragraph whose highlights did not change since it was last shown comes from the cache."""
    language = get_language()
    return mark_safe("".join(_rendered([
        (f"paragraph:{article.pk}:{language}:{paragraph['start']}:{_highlights_digest(paragraph)}",
         partial(render_to_string, "annotations/_paragraph.html", {"paragraph": paragraph}))
        for paragraph in paragraphs(article, marks, start=start, end=end)])))


@dataclass(frozen=True)
class Section:
    """A run of whole paragraphs of a long article, shown one at a time; `number` counts from 1."""

    number: int
    start: int
    end: int
    mark_count: int

    def holds(self, mark: Claim) -> bool:
        return self.start <= mark.start < self.end


def sections(body: str, marks: list[Claim], *, size: int) -> list[Section]:
    """The body cut into runs of paragraphs with at most `size` marks each (a paragraph with more stays
    whole); a normal article is one section.

    A cut falls only where no mark crosses it, so each mark lies wholly in the section where it starts.
    `marks` in text order.
    """
    starts = [0, *(match.end() for match in _PARAGRAPH_BREAK.finditer(body) if match.end() < len(body))]
    cuts, counts = [0], [0]
    reach, next_mark = 0, 0  # reach: the furthest end of the marks before the paragraph at hand
    for paragraph_start, paragraph_end in itertools.pairwise([*starts, len(body)]):
        first = next_mark
        while next_mark < len(marks) and marks[next_mark].start < paragraph_end:
            next_mark += 1
        in_paragraph = next_mark - first
        if in_paragraph and counts[-1] and counts[-1] + in_paragraph > size and reach <= paragraph_start:
            cuts.append(paragraph_start)
            counts.append(0)
        counts[-1] += in_paragraph
        reach = max([reach, *(mark.end for mark in marks[first:next_mark])])
    ends = [*cuts[1:], len(body)]
    return [Section(number, start, end, count)
            for number, (start, end, count) in enumerate(zip(cuts, ends, counts, strict=True), start=1)]


_PARAGRAPH_BREAK = re.compile(r"\n+")


def section_to_show(all_sections: list[Section], marks: list[Claim], *, number: str | None,
                    mark: str | None) -> Section:
    """The section asked for by number (`?section=`), else the one holding the mark asked for, else the first."""
    by_number = {str(section.number): section for section in all_sections}
    if number in by_number:
        return by_number[number]
    wanted = next((claim for claim in marks if str(claim.pk) == mark), None)
    return next((section for section in all_sections if wanted and section.holds(wanted)), all_sections[0])


def _highlights_digest(paragraph: Paragraph) -> str:
    """What a paragraph's HTML depends on besides its text: where its marks lie and what they say."""
    marks = {mark.pk: mark for piece in paragraph["pieces"] for mark in piece["marks"]}
    state = repr([(mark.pk, mark.start, mark.end, mark.kind, mark.verdict, mark.speaker) for mark in marks.values()]
                 + [len(paragraph["gap"])])
    return hashlib.sha256(state.encode()).hexdigest()


def mark_panels(request: HttpRequest, panels: list[MarkPanel]) -> SafeString:
    """The panels of the mark list as one piece of HTML; an unchanged mark's panel comes from the cache."""
    can_label = request.user.has_perm(LABEL_PERMISSION)
    keys = [_panel_key(panel, can_label=can_label) for panel in panels]
    stand_in = _csrf_stand_in()

    def render(panel: MarkPanel) -> str:
        return _compact(render_to_string("annotations/_claim.html", {"panel": panel, "csrf_token": stand_in}, request))

    html = _rendered([(key, partial(render, panel)) for key, panel in zip(keys, panels, strict=True)],
                     before_rendering=lambda missing: prefetch_related_objects(
                         [panels[i].claim for i in missing], *Claim.panel_prefetches()))
    return mark_safe("".join(html).replace(stand_in, get_token(request)))


def _rendered(entries: list[tuple[str | None, Callable[[], str]]],
              before_rendering: Callable[[list[int]], None] = lambda missing: None) -> list[str]:
    """Each entry's HTML: from the cache under its key, or rendered (and cached, unless its key is None).

    `before_rendering` gets the positions of the entries to render, to fetch what only they need.
    """
    fragments = caches["fragments"]
    cached = fragments.get_many([key for key, _ in entries if key])
    missing = [i for i, (key, _) in enumerate(entries) if key not in cached]
    before_rendering(missing)
    rendered = {i: entries[i][1]() for i in missing}
    fragments.set_many({entries[i][0]: rendered[i] for i in missing if entries[i][0]}, CACHE_SECONDS)
    return [rendered[i] if i in rendered else cached[key] for i, (key, _) in enumerate(entries)]


def _compact(html: str) -> str:
    """Drop the template's indentation and blank lines (a tenth of a long page). A run of whitespace
    shows as one space anyway, and a panel holds no text field or preformatted text."""
    return _LINE_BREAK_AND_INDENT.sub("\n", html)


_LINE_BREAK_AND_INDENT = re.compile(r"\s*\n\s*")


def _panel_key(panel: MarkPanel, *, can_label: bool) -> str | None:
    """Everything a plain panel's HTML depends on; a panel showing a refusal or open forms is not cached."""
    if panel.failed_form is not None or panel.conflict is not None or panel.expanded:
        return None
    claim, match = panel.claim, panel.match
    return ":".join(str(part) for part in [
        "mark-panel", claim.pk, claim.version, int(panel.in_queue), int(can_label), get_language(),
        int(Claim.is_second_opinion_required()), match.pk if match else "-", match.version if match else "-"])
