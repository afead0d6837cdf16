"""Articles, their marks (claims and quotes), evidence, and the append-only audit history; the review
workspace's assignments, second opinions and speakers.

Every state change is a model method with a keyword-only actor; each one writes its
AuditEvent through AuditEvent.objects.record() in the same transaction. What is not a model lives
beside it: agreement.py (kappa), dashboard.py (the chart), match_search.py ("already checked").
"""
from __future__ import annotations

import hashlib
import itertools
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import TYPE_CHECKING, Self, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, Exists, F, Func, Max, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, Lower, TruncDate
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from annotations.matching import match_keys

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

LABEL_PERMISSION = "annotations.label_claim"
# What editors alone may do with the review itself: assign articles, settle disagreements, merge speakers.
MANAGE_REVIEWS_PERMISSION = "annotations.manage_reviews"


class StaleClaimError(Exception):
    """A change was based on an older version of the claim than the stored one."""

    def __init__(self, claim: Claim):
        self.claim = claim
        super().__init__(f"Claim {claim.pk} changed since you loaded it (now version {claim.version}).")


def body_fingerprint(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


_ModelT = TypeVar("_ModelT", bound=models.Model)


class DatedQuerySet(models.QuerySet[_ModelT]):
    def dated_between(self, field: str, first: date | None = None, last: date | None = None) -> Self:
        """Rows whose datetime `field` falls on a day from `first` to `last`, both included, either optional."""
        if first:
            self = self.filter(**{f"{field}__date__gte": first})
        if last:
            self = self.filter(**{f"{field}__date__lte": last})
        return self


class ArticleQuerySet(DatedQuerySet["Article"]):
    def with_progress(self) -> ArticleQuerySet:
        """Count live marks and labelled ones; the order is restated because grouping drops Meta.ordering."""
        live = Q(claims__is_dismissed=False)
        return self.annotate(
            mark_count=Count("claims", filter=live),
            labelled_count=Count("claims", filter=live & ~Q(claims__verdict=Claim.Verdict.UNREVIEWED)),
        ).order_by(*self.model._meta.ordering or ())

    def with_unlabelled_marks(self) -> ArticleQuerySet:
        # Subqueries, not joins, so the filters compose with with_progress() without inflating its counts.
        return self.filter(Exists(Claim.objects.unreviewed().filter(article=OuterRef("pk"))))

    def fully_labelled(self) -> ArticleQuerySet:
        return self.exclude(Exists(Claim.objects.unreviewed().filter(article=OuterRef("pk"))))

    def with_verdict(self, verdict: str) -> ArticleQuerySet:
        return self.filter(Exists(Claim.objects.live().filter(article=OuterRef("pk"), verdict=verdict)))

    def assigned_to(self, reviewer) -> ArticleQuerySet:
        return self.filter(Exists(Assignment.objects.filter(article=OuterRef("pk"), reviewer=reviewer)))

    def with_backlog(self) -> ArticleQuerySet:
        """Articles with unlabelled live marks, the most first, each with `backlog` (its count)."""
        unlabelled = Q(claims__is_dismissed=False, claims__verdict=Claim.Verdict.UNREVIEWED)
        return (self.annotate(backlog=Count("claims", filter=unlabelled)).filter(backlog__gt=0)
                .order_by("-backlog", "created_at", "pk"))

    def search(self, words: str) -> ArticleQuerySet:
        """Articles whose title or text contains every word (case-insensitive)."""
        for word in words.split():
            self = self.filter(Q(title__icontains=word) | Q(body__icontains=word))
        return self

    def filtered(self, *, q: str = "", progress: str = "", verdict: str = "", imported_from: date | None = None,
                 imported_to: date | None = None) -> ArticleQuerySet:
        """The article list's search and filters, each optional."""
        articles = self.search(q) if q else self
        if progress == "unlabelled":
            articles = articles.with_unlabelled_marks()
        elif progress == "done":
            articles = articles.fully_labelled()
        if verdict:
            articles = articles.with_verdict(verdict)
        return articles.dated_between("created_at", imported_from, imported_to)


# django-stubs can only type a from_queryset() manager that is named first, then subclassed.
ArticleQuerySetManager = models.Manager.from_queryset(ArticleQuerySet)


class ArticleManager(ArticleQuerySetManager["Article"]):
    def import_article(self, *, title: str, body: str, by, source_name: str = "", source_url: str = "",
                       author: str = "", published_at=None, note: str = "") -> tuple[Article, bool]:
        """Store a normalised article once; returns (article, created). A known body returns the stored one."""
        fingerprint = body_fingerprint(body)
        try:
            with transaction.atomic():
                existing = self.filter(body_fingerprint=fingerprint).first()
                if existing:
                    return existing, False
                article = self.create(
                    title=title, body=body, body_fingerprint=fingerprint, source_name=source_name,
                    source_url=source_url, author=author, published_at=published_at, imported_by=by,
                )
                AuditEvent.objects.record(
                    AuditEvent.Action.IMPORTED, actor=by, article=article, note=note,
                    after={"title": title, "source_name": source_name, "source_url": source_url,
                           "characters": len(body), "fingerprint": fingerprint},
                )
        except IntegrityError:
            # Another worker stored the same body between our look-up and our insert: theirs is the article.
            existing = self.filter(body_fingerprint=fingerprint).first()
            if existing is None:
                raise
            return existing, False
        return article, True


class Article(models.Model):
    title = models.CharField(max_length=500)
    body = models.TextField(help_text=_("Normalised once at import and never changed: mark offsets point into it."))
    body_fingerprint = models.CharField(max_length=64, unique=True, editable=False)
    source_name = models.CharField(max_length=500, blank=True, help_text=_("File name, or 'pasted'."))
    source_url = models.URLField(max_length=2000, blank=True)
    author = models.CharField(max_length=300, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    premarked_with = models.CharField(max_length=200, blank=True)

    objects = ArticleManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("import_articles", "Can import articles"),
            ("export_claims", "Can export claims"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def source(self) -> str:
        return self.source_url or self.source_name

    def segments(self, claims=None, *, start: int = 0, end: int | None = None) -> list[tuple[int, str, list[Claim]]]:
        """Split the body (or its stretch start..end) into (offset, text, covering marks) pieces, in order.

        Marks may overlap (a claim inside a quote), so each piece lists every mark covering it, by where
        they start (ties in the order given). One sweep along the text: a page may hold hundreds of marks.
        """
        end = len(self.body) if end is None else end
        marks = [mark for mark in (claims if claims is not None else self.claims.live().in_text_order())
                 if mark.start < end and mark.end > start]
        cuts = {start, end}
        for mark in marks:
            cuts.update(point for point in (mark.start, mark.end) if start < point < end)
        points = sorted(cuts)
        waiting = sorted(marks, key=lambda mark: mark.start)  # stable: keeps the given order among equals
        active, pieces, next_waiting = [], [], 0
        for piece_start, piece_end in itertools.pairwise(points):
            while next_waiting < len(waiting) and waiting[next_waiting].start <= piece_start:
                active.append(waiting[next_waiting])
                next_waiting += 1
            active = [mark for mark in active if mark.end > piece_start]
            pieces.append((piece_start, self.body[piece_start:piece_end], list(active)))
        return pieces

    def add_mark(self, *, start: int, end: int, kind: str, by, speaker: str = "") -> Claim:
        """A person marks a span the machine missed."""
        if not (0 <= start < end <= len(self.body)):
            raise ValidationError(gettext("The span %(start)s–%(end)s is outside the article (length %(length)s).")
                                  % {"start": start, "end": end, "length": len(self.body)})
        text = self.body[start:end]
        if not text.strip():
            raise ValidationError(gettext("The selected text is empty."))
        with transaction.atomic():
            if self.claims.filter(start=start, end=end, kind=kind).exists():
                raise ValidationError(gettext("That text is already marked as a %(kind)s.") % {"kind": kind})
            claim = self.claims.create(
                start=start, end=end, text=text, kind=kind, origin=Claim.Origin.HUMAN,
                speaker=speaker if kind == Claim.Kind.QUOTE else "", is_touched=True,
            )
            AuditEvent.objects.record(
                AuditEvent.Action.MARKED, actor=by, article=self, claim=claim, after=claim.snapshot()
            )
        return claim

    def assign(self, reviewer, *, by) -> Assignment:
        """Give this article to a reviewer: its marks come first in their queue. Assigning twice changes nothing."""
        if not reviewer.has_perm(LABEL_PERMISSION):
            raise ValidationError(gettext("%(reviewer)s cannot label marks, so cannot be assigned an article.")
                                  % {"reviewer": reviewer.get_username()})
        with transaction.atomic():
            assignment, created = self.assignments.get_or_create(reviewer=reviewer, defaults={"assigned_by": by})
            if created:
                AuditEvent.objects.record(AuditEvent.Action.ASSIGNED, actor=by, article=self,
                                          after={"reviewer": reviewer.get_username()})
        return assignment

    def unassign(self, reviewer, *, by) -> None:
        """Take the article back from a reviewer; nothing happens if it was not theirs."""
        with transaction.atomic():
            deleted, _ = self.assignments.filter(reviewer=reviewer).delete()
            if deleted:
                AuditEvent.objects.record(AuditEvent.Action.UNASSIGNED, actor=by, article=self,
                                          before={"reviewer": reviewer.get_username()})

    def history(self) -> models.QuerySet:
        return self.audit_events.select_related("actor", "claim").order_by("pk")


class ClaimQuerySet(DatedQuerySet["Claim"]):
    def live(self) -> ClaimQuerySet:
        return self.filter(is_dismissed=False)

    def unreviewed(self) -> ClaimQuerySet:
        return self.live().filter(verdict=Claim.Verdict.UNREVIEWED)

    def labelled(self) -> ClaimQuerySet:
        return self.live().exclude(verdict=Claim.Verdict.UNREVIEWED)

    def for_article(self, article: Article) -> ClaimQuerySet:
        return self.filter(article=article)

    def quotes(self) -> ClaimQuerySet:
        return self.live().filter(kind=Claim.Kind.QUOTE)

    def final(self) -> ClaimQuerySet:
        """Labelled claims whose review is over: with second opinions on, only these are exported."""
        return self.labelled().filter(review_state=Claim.ReviewState.FINAL)

    def in_disagreement(self) -> ClaimQuerySet:
        return self.filter(review_state=Claim.ReviewState.DISAGREEMENT)

    def awaiting_label_from(self, reviewer) -> ClaimQuerySet:
        """Live marks this reviewer could label next: unlabelled ones, and with second opinions on, also
        marks waiting for a second opinion that is not theirs to give twice."""
        if not Claim.is_second_opinion_required():
            return self.unreviewed()
        given = Opinion.objects.filter(claim=OuterRef("pk"), reviewer=reviewer)
        return (self.live().filter(review_state__in=[Claim.ReviewState.OPEN, Claim.ReviewState.NEEDS_SECOND])
                .exclude(Exists(given)))

    def queue_for(self, reviewer, *, article: Article | None = None, speaker: str = "", kind: str = "",
                  imported_from: date | None = None, imported_to: date | None = None) -> ClaimQuerySet:
        """The review queue, first mark first: the reviewer's assigned articles, then the highest score
        (unscored quotes and hand-made marks last), then the oldest article, then text order."""
        claims = self.awaiting_label_from(reviewer)
        if article:
            claims = claims.filter(article=article)
        if speaker:
            claims = claims.filter(speaker__iexact=speaker.strip())
        if kind:
            claims = claims.filter(kind=kind)
        claims = claims.dated_between("article__created_at", imported_from, imported_to)
        mine = Assignment.objects.filter(article=OuterRef("article_id"), reviewer=reviewer)
        return claims.annotate(is_assigned=Exists(mine)).order_by(
            F("is_assigned").desc(), F("score").desc(nulls_last=True), "article__created_at", "start", "pk")

    def verdict_counts(self) -> list[tuple[str, str, int]]:
        """(verdict, label, how many) for every verdict, zeros included, from one grouped query."""
        counts = dict(self.order_by().values_list("verdict").annotate(n=Count("pk")))
        return [(value, label, counts.get(value, 0)) for value, label in Claim.Verdict.choices]

    def for_panels(self) -> ClaimQuerySet:
        """What the mark panels show, fetched up front."""
        return self.select_related("reviewed_by").prefetch_related(*Claim.panel_prefetches())

    def premark_quality(self) -> list[dict]:
        """Per kind: machine marks, how many reviewers dismissed, marks added by hand, speakers corrected."""
        machine = Q(origin=Claim.Origin.MACHINE)
        corrected = Exists(AuditEvent.objects.filter(claim=OuterRef("pk"), action=AuditEvent.Action.SPEAKER_SET))
        return list(self.order_by().values("kind").annotate(
            machine=Count("pk", filter=machine),
            dismissed=Count("pk", filter=machine & Q(is_dismissed=True)),
            by_hand=Count("pk", filter=Q(origin=Claim.Origin.HUMAN)),
            speakers_corrected=Count("pk", filter=machine & Q(kind=Claim.Kind.QUOTE) & Q(corrected)),
        ).order_by("kind"))

    def in_text_order(self) -> ClaimQuerySet:
        return self.order_by("start", "end", "kind")

    def for_export(self) -> ClaimQuerySet:
        return (
            self.select_related("article", "reviewed_by")
            .prefetch_related("evidence")
            .order_by("article_id", "start", "end", "pk")
        )


class Claim(models.Model):
    class Kind(models.TextChoices):
        CLAIM = "claim", _("Claim")
        QUOTE = "quote", _("Quote")

    class Origin(models.TextChoices):
        MACHINE = "machine", _("Machine")
        HUMAN = "human", _("Person")

    class Verdict(models.TextChoices):
        UNREVIEWED = "unreviewed", _("Unreviewed")
        VERIFIED = "verified", _("Verified")
        DISPUTED = "disputed", _("Disputed")
        UNCLEAR = "unclear", _("Unclear")

    class ReviewState(models.TextChoices):
        OPEN = "open", _("Open")
        NEEDS_SECOND = "needs_second", _("Needs a second opinion")
        DISAGREEMENT = "disagreement", _("Reviewers disagree")
        FINAL = "final", _("Final")

    VERDICT_HELP: dict[str, StrOrPromise] = {
        Verdict.VERIFIED: _("The evidence supports the claim as stated."),
        Verdict.DISPUTED: _("The evidence contradicts it, or credible sources contest it."),
        Verdict.UNCLEAR: _("It cannot be settled with the evidence available."),
    }

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="claims")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.MACHINE)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    speaker = models.CharField(max_length=300, blank=True)
    score = models.FloatField(null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    verdict = models.CharField(max_length=12, choices=Verdict.choices, default=Verdict.UNREVIEWED)
    # With second opinions off a label is final at once; with them on, `verdict` is the latest opinion
    # and this says whether a second reviewer agreed, disagreed, or is still to come.
    review_state = models.CharField(max_length=20, choices=ReviewState.choices, default=ReviewState.OPEN)
    note = models.TextField(blank=True)
    is_dismissed = models.BooleanField(default=False)
    # Set by every change a person makes: re-running the pre-marker never deletes or alters these.
    is_touched = models.BooleanField(default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ClaimQuerySet.as_manager()

    # No default ordering: it would join and sort by the article on every query. Order where it
    # matters, usually with in_text_order().
    class Meta:
        permissions = [
            ("label_claim", "Can label, annotate and add marks"),
            ("restore_label", "Can restore an earlier label"),
            ("manage_reviews", "Can assign articles to reviewers, settle disagreements and merge speakers"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="claim_start_before_end"),
            models.UniqueConstraint(fields=["article", "start", "end", "kind"], name="one_mark_per_span_and_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}: {self.text[:60]}"

    @staticmethod
    def is_second_opinion_required() -> bool:
        """Whether a label is one reviewer's opinion, final only once a second reviewer agrees.

        The one place that reads the SECOND_OPINION setting; the rest of the code asks this.
        """
        return settings.SECOND_OPINION

    @staticmethod
    def panel_prefetches() -> list:
        """The related rows a mark's panel shows; opinions only when second opinions are on."""
        opinions = ([Prefetch("opinions", Opinion.objects.select_related("reviewer"))]
                    if Claim.is_second_opinion_required() else [])
        return ["evidence", *opinions]

    def snapshot(self) -> dict:
        """What the history shows of this mark: enough to tell any two versions apart."""
        return {
            "kind": self.kind, "start": self.start, "end": self.end, "text": self.text,
            "speaker": self.speaker, "verdict": self.verdict, "note": self.note,
            "is_dismissed": self.is_dismissed, "review_state": self.review_state, "version": self.version,
            "evidence": [{"url": e.url, "description": e.description} for e in self.evidence.all()],
        }

    def history(self) -> models.QuerySet:
        return self.audit_events.select_related("actor").order_by("pk")

    def _change(self, action: str, *, by, expected_version: int | None, apply, note: str = "") -> None:
        """Lock the row, refuse a stale edit, apply the change, bump the version, record one event."""
        with transaction.atomic():
            current = Claim.objects.select_for_update().get(pk=self.pk)
            if expected_version is not None and current.version != expected_version:
                raise StaleClaimError(current)
            before = current.snapshot()
            changed_fields = apply(current) or []
            current.version += 1
            current.is_touched = True
            current.save(update_fields=[*changed_fields, "version", "is_touched"])
            after = current.snapshot()
            if any(before[field] != after[field] for field in ("verdict", "text", "is_dismissed")):
                ClaimKey.objects.reindex(current)
            AuditEvent.objects.record(
                action, actor=by, article=current.article, claim=current, before=before, after=after, note=note
            )
        self.refresh_from_db()

    def set_verdict(self, verdict: str, *, by, expected_version: int | None = None) -> None:
        """Label the mark. With second opinions on, the label is this person's opinion (see give_opinion)."""
        if verdict not in self.Verdict.values:
            raise ValidationError(gettext("Unknown verdict %(verdict)r.") % {"verdict": verdict})
        if self.is_second_opinion_required():
            return self.give_opinion(verdict, by=by, expected_version=expected_version)

        def apply(claim: Claim) -> list[str]:
            claim.verdict = verdict
            claim.reviewed_by = by
            claim.reviewed_at = timezone.now()
            claim.is_dismissed = False
            labelled = verdict != claim.Verdict.UNREVIEWED
            claim.review_state = claim.ReviewState.FINAL if labelled else claim.ReviewState.OPEN
            return ["verdict", "reviewed_by", "reviewed_at", "is_dismissed", "review_state"]

        self._change(AuditEvent.Action.VERDICT_SET, by=by, expected_version=expected_version, apply=apply)

    def give_opinion(self, verdict: str, *, by, expected_version: int | None = None) -> None:
        """One reviewer's label under second opinions: theirs replaces any earlier one of theirs, the claim
        shows it, and the review state follows from everyone's opinions (see state_after_opinion)."""
        if verdict not in self.Verdict.values or verdict == self.Verdict.UNREVIEWED:
            raise ValidationError(gettext("Unknown verdict %(verdict)r.") % {"verdict": verdict})

        def apply(claim: Claim) -> list[str]:
            claim._record_opinion(verdict, by=by)
            claim.verdict, claim.reviewed_by, claim.reviewed_at = verdict, by, timezone.now()
            claim.is_dismissed = False
            return ["verdict", "reviewed_by", "reviewed_at", "is_dismissed", "review_state"]

        self._change(AuditEvent.Action.OPINION_GIVEN, by=by, expected_version=expected_version, apply=apply)

    def _record_opinion(self, verdict: str, *, by) -> None:
        """On the row-locked copy: `by`'s opinion replaces any earlier one of theirs, and the review state
        follows from everyone's opinions. Under the lock, two reviewers answering at once count in turn."""
        opinions = dict(self.opinions.values_list("reviewer_id", "verdict"))
        if opinions.get(by.pk) == verdict:
            raise ValidationError(gettext("Your opinion is already %(verdict)s; "
                                          "a second opinion has to come from another reviewer.")
                                  % {"verdict": self.Verdict(verdict).label})
        others = {reviewer: given for reviewer, given in opinions.items() if reviewer != by.pk}
        self.review_state = self.state_after_opinion(verdict, others.values())
        Opinion.objects.update_or_create(claim=self, reviewer=by, defaults={"verdict": verdict})

    def state_after_opinion(self, verdict: str, others: Iterable[str]) -> str:
        """The review state once someone gives `verdict`, given the other reviewers' opinions.

        A final claim stays final while opinions match its verdict (whether reviewers agreed or an
        editor adjudicated) and reopens as a disagreement otherwise. Before that: one reviewer's
        opinion needs a second; two or more are final when all agree, a disagreement when not.
        """
        others = list(others)
        if self.review_state == self.ReviewState.FINAL:
            return self.ReviewState.FINAL if verdict == self.verdict else self.ReviewState.DISAGREEMENT
        if not others:
            return self.ReviewState.NEEDS_SECOND
        return self.ReviewState.FINAL if all(o == verdict for o in others) else self.ReviewState.DISAGREEMENT

    def adjudicate(self, verdict: str, note: str, *, by, expected_version: int | None = None) -> None:
        """An editor settles a disagreement between reviewers; the note says why, in the history."""
        if verdict not in self.Verdict.values or verdict == self.Verdict.UNREVIEWED:
            raise ValidationError(gettext("Unknown verdict %(verdict)r.") % {"verdict": verdict})
        if not note.strip():
            raise ValidationError(gettext("Say why: settling a disagreement needs a note."))

        def apply(claim: Claim) -> list[str]:
            if claim.review_state != claim.ReviewState.DISAGREEMENT:
                raise ValidationError(gettext("Only a claim the reviewers disagree on can be settled."))
            claim.verdict, claim.reviewed_by, claim.reviewed_at = verdict, by, timezone.now()
            claim.review_state = claim.ReviewState.FINAL
            return ["verdict", "reviewed_by", "reviewed_at", "review_state"]

        self._change(AuditEvent.Action.ADJUDICATED, by=by, expected_version=expected_version, apply=apply,
                     note=note.strip())

    def set_note(self, note: str, *, by, expected_version: int | None = None) -> None:
        def apply(claim: Claim) -> list[str]:
            claim.note = note.strip()
            return ["note"]

        self._change(AuditEvent.Action.NOTE_SET, by=by, expected_version=expected_version, apply=apply)

    def set_speaker(self, speaker: str, *, by, expected_version: int | None = None) -> None:
        def apply(claim: Claim) -> list[str]:
            claim.speaker = speaker.strip()
            return ["speaker"]

        self._change(AuditEvent.Action.SPEAKER_SET, by=by, expected_version=expected_version, apply=apply)

    def dismiss(self, *, by, expected_version: int | None = None) -> None:
        def apply(claim: Claim) -> list[str]:
            claim.is_dismissed = True
            return ["is_dismissed"]

        self._change(AuditEvent.Action.DISMISSED, by=by, expected_version=expected_version, apply=apply)

    def restore(self, *, by, expected_version: int | None = None) -> None:
        def apply(claim: Claim) -> list[str]:
            claim.is_dismissed = False
            return ["is_dismissed"]

        self._change(AuditEvent.Action.RESTORED, by=by, expected_version=expected_version, apply=apply)

    def adjust_span(self, start: int, end: int, *, by, expected_version: int | None = None) -> None:
        body = self.article.body
        if not (0 <= start < end <= len(body)) or not body[start:end].strip():
            raise ValidationError(gettext("The span %(start)s–%(end)s is not a non-empty part of the article.")
                                  % {"start": start, "end": end})

        def apply(claim: Claim) -> list[str]:
            claim.start, claim.end, claim.text = start, end, body[start:end]
            return ["start", "end", "text"]

        self._change(AuditEvent.Action.SPAN_ADJUSTED, by=by, expected_version=expected_version, apply=apply)

    def add_evidence(self, url: str, description: str = "", *, by, expected_version: int | None = None) -> None:
        if not url.lower().startswith(("http://", "https://")):
            raise ValidationError(gettext("Evidence links must start with http:// or https://."))
        def apply(claim: Claim) -> list[str]:
            claim.evidence.create(url=url, description=description.strip(), added_by=by)
            return []

        self._change(AuditEvent.Action.EVIDENCE_ADDED, by=by, expected_version=expected_version, apply=apply)

    def apply_match(self, source: Claim, *, by, expected_version: int | None = None) -> None:
        """Give this unlabelled mark the verdict and evidence of the same claim already checked elsewhere.

        The caller checks that `source` is the match the search finds (MatchForm). Here, under the row
        lock, a match only labels a live unlabelled mark, so it never overturns a verdict: settling a
        disagreement is the editor's (adjudicate). With second opinions on, the lent verdict is `by`'s
        opinion and still needs a second.
        """
        if source.pk == self.pk or source.verdict == self.Verdict.UNREVIEWED or source.is_dismissed:
            raise ValidationError(gettext("Only a labelled claim in another place can lend its verdict."))

        def apply(claim: Claim) -> list[str]:
            if claim.verdict != claim.Verdict.UNREVIEWED or claim.is_dismissed:
                raise ValidationError(gettext("This mark is already labelled: a match only labels unlabelled marks."))
            if claim.is_second_opinion_required():
                claim._record_opinion(source.verdict, by=by)
            else:
                claim.review_state = claim.ReviewState.FINAL
            claim.verdict, claim.reviewed_by, claim.reviewed_at = source.verdict, by, timezone.now()
            known = set(claim.evidence.values_list("url", flat=True))
            claim.evidence.bulk_create([Evidence(claim=claim, url=e.url, description=e.description, added_by=by)
                                        for e in source.evidence.all() if e.url not in known])
            return ["verdict", "reviewed_by", "reviewed_at", "review_state"]

        self._change(AuditEvent.Action.MATCH_APPLIED, by=by, expected_version=expected_version, apply=apply,
                     note=f"same as claim {source.pk} in article {source.article_id} “{source.article.title}”")

    def restore_label(self, event_id: int, *, by, expected_version: int | None = None) -> None:
        """Bring back the verdict and note this claim had after an earlier event, as a new event."""
        earlier = self.audit_events.filter(pk=event_id).first()
        if earlier is None or "verdict" not in earlier.after:
            raise ValidationError(gettext("That event is not a state of this claim to restore."))

        def apply(claim: Claim) -> list[str]:
            claim.verdict, claim.note = earlier.after["verdict"], earlier.after.get("note", claim.note)
            claim.reviewed_by, claim.reviewed_at = by, timezone.now()
            # An editor's restored label is settled, as an adjudication is.
            labelled = claim.verdict != claim.Verdict.UNREVIEWED
            claim.review_state = claim.ReviewState.FINAL if labelled else claim.ReviewState.OPEN
            return ["verdict", "note", "reviewed_by", "reviewed_at", "review_state"]

        self._change(AuditEvent.Action.LABEL_RESTORED, by=by, expected_version=expected_version, apply=apply,
                     note=f"restored the label of event {earlier.pk}")

    def remove_evidence(self, evidence_id: int, *, by, expected_version: int | None = None) -> None:
        def apply(claim: Claim) -> list[str]:
            deleted, _ = claim.evidence.filter(pk=evidence_id).delete()
            if not deleted:
                raise ValidationError(gettext("That evidence link is not on this claim."))
            return []

        self._change(AuditEvent.Action.EVIDENCE_REMOVED, by=by, expected_version=expected_version, apply=apply)


class Evidence(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=500, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.url


class Assignment(models.Model):
    """An editor gives an article to a reviewer: its marks come first in that reviewer's queue."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "reviewer"], name="one_assignment_per_article_and_reviewer"),
        ]

    def __str__(self) -> str:
        return f"{self.article} → {self.reviewer}"


class OpinionManager(models.Manager):
    def pair_counts(self) -> models.QuerySet:
        """Pairs of opinions on the same claim (the lower user id first), counted per two reviewers and
        their two verdicts, with how many of those claims are open disagreements. agreement.py does the sums.

        One grouped query, so the rows grow with the number of reviewers and verdicts, never with the
        number of claims.
        """
        return (
            self.annotate(other_id=F("claim__opinions__reviewer"), other_name=F("claim__opinions__reviewer__username"),
                          other_verdict=F("claim__opinions__verdict"))
            .filter(reviewer_id__lt=F("other_id"))
            .values("reviewer_id", "reviewer__username", "other_id", "other_name", "verdict", "other_verdict")
            .annotate(shared=Count("pk"),
                      open=Count("pk", filter=Q(claim__review_state=Claim.ReviewState.DISAGREEMENT)))
            .order_by()
        )


class Opinion(models.Model):
    """One reviewer's current label of a claim, when second opinions are on. Changes are events on the claim."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="opinions")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="opinions")
    verdict = models.CharField(max_length=12, choices=Claim.Verdict.choices)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OpinionManager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "reviewer"], name="one_opinion_per_claim_and_reviewer"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer}: {self.get_verdict_display()} on claim {self.claim_id}"


class SpeakerQuerySet(models.QuerySet["Speaker"]):
    def with_quote_counts(self) -> SpeakerQuerySet:
        """`quote_count`: live quotes whose speaker is one of the speaker's aliases, counted in the database."""
        names = SpeakerAlias.objects.filter(speaker=OuterRef(OuterRef("pk"))).values(key=Lower("name"))
        counts = (Claim.objects.quotes().annotate(key=Lower("speaker")).filter(key__in=names).order_by()
                  .annotate(n=Func(F("pk"), function="COUNT")).values("n"))
        return self.annotate(quote_count=Coalesce(Subquery(counts), 0))


SpeakerQuerySetManager = models.Manager.from_queryset(SpeakerQuerySet)


class SpeakerManager(SpeakerQuerySetManager["Speaker"]):
    def sync_from_quotes(self) -> int:
        """Make a speaker (with its name as alias) for each quote speaker no alias knows yet; returns how many.

        One query when there is nothing new. Spellings that differ only in case become one speaker,
        named by the spelling most quotes use.
        """
        known = SpeakerAlias.objects.annotate(key=Lower("name")).filter(key=Lower(OuterRef("speaker")))
        unknown = (Claim.objects.quotes().exclude(speaker="").exclude(Exists(known)).values("speaker")
                   .annotate(uses=Count("pk")).order_by("-uses", "speaker").values_list("speaker", flat=True))
        names: dict[str, str] = {}
        for name in unknown:
            names.setdefault(name.strip().lower(), name.strip())
        if not names:
            return 0
        try:
            with transaction.atomic():
                speakers = self.bulk_create([self.model(name=name) for name in names.values()])
                SpeakerAlias.objects.bulk_create(SpeakerAlias(speaker=s, name=s.name) for s in speakers)
        except IntegrityError:
            # Another request synced the same names first: what it made is what we wanted.
            return 0
        return len(speakers)


class Speaker(models.Model):
    """A person quoted in the articles. Quotes name them by any of their aliases ("Witkoff", "Steve Witkoff")."""

    name = models.CharField(max_length=300, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = SpeakerManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def alias_names(self) -> list[str]:
        return sorted(self.aliases.values_list("name", flat=True), key=str.lower)

    def quotes(self) -> ClaimQuerySet:
        """Live quotes attributed to any alias of this speaker, matched ignoring case."""
        names = self.aliases.values(key=Lower("name"))
        return Claim.objects.quotes().annotate(key=Lower("speaker")).filter(key__in=names)

    def merge(self, other: Speaker, *, by) -> None:
        """Take over `other`'s aliases (and so its quotes) and delete it; the event lists both alias sets."""
        if other.pk == self.pk:
            raise ValidationError(gettext("A speaker cannot be merged with itself."))
        with transaction.atomic():
            list(Speaker.objects.select_for_update().filter(pk__in=[self.pk, other.pk]))
            before = {self.name: self.alias_names(), other.name: other.alias_names()}
            other.aliases.update(speaker=self)
            other.delete()
            AuditEvent.objects.record(AuditEvent.Action.SPEAKERS_MERGED, actor=by, before=before,
                                      after={self.name: self.alias_names()},
                                      note=f"{other.name} merged into {self.name}")


class SpeakerAlias(models.Model):
    """A spelling of a speaker's name as quotes give it; unique ignoring case, so it names one speaker."""

    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=300)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("speaker aliases")
        constraints = [models.UniqueConstraint(Lower("name"), name="one_speaker_per_alias_ignoring_case")]

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class MachineActor:
    """The pre-marker as an actor in the history: no user, but a model name."""

    model_name: str

    @property
    def label(self) -> str:
        return f"pre-marker ({self.model_name})"


GENESIS_HASH = "0" * 64


def event_hash(previous_hash: str, content: dict) -> str:
    """SHA-256 over the previous event's hash and the canonical JSON of this event's content."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((previous_hash + canonical).encode("utf-8")).hexdigest()


class AuditEventManager(models.Manager["AuditEvent"]):
    def record(self, action: str, *, actor, article: Article | None = None, claim: Claim | None = None,
               before: dict | None = None, after: dict | None = None, note: str = "") -> AuditEvent:
        """The one way to write history. Call it inside the transaction that makes the change."""
        is_person = actor is not None and not isinstance(actor, MachineActor)
        actor_label = actor.label if isinstance(actor, MachineActor) else (actor.get_username() if actor else "system")
        # No savepoint of its own: a failed write fails the caller's change, and on PostgreSQL each
        # savepoint costs two more round trips for every event.
        with transaction.atomic(savepoint=False):
            previous_hash = self._lock_chain_head()
            event = self.model(
                created_at=timezone.now(), actor=actor if is_person else None, actor_label=actor_label,
                action=action, article=article, claim=claim, before=before or {}, after=after or {},
                note=note, previous_hash=previous_hash,
            )
            event.hash = event_hash(previous_hash, event.hashed_content())
            event.save(force_insert=True)
        return event

    def verify_chain(self) -> ChainReport:
        """Recompute the chain from the first event; stop at the first event that does not fit."""
        previous_hash, count = GENESIS_HASH, 0
        for event in self.order_by("pk").iterator(chunk_size=5000):
            if event.previous_hash != previous_hash:
                return ChainReport(count, previous_hash, event.pk, "it does not follow the event before it "
                                   "(an event was removed or inserted before it)")
            if event_hash(previous_hash, event.hashed_content()) != event.hash:
                return ChainReport(count, previous_hash, event.pk, "its content does not match its hash (it was changed)")
            previous_hash, count = event.hash, count + 1
        return ChainReport(count, previous_hash)

    def labels_per_day(self, *, days: int = 30, today: date | None = None) -> dict[date, Counter[str]]:
        """Labels given (by verdict), dismissals and marks added by hand on each of the last `days` days,
        oldest first, counted under the verdict, "dismissed" or "marked".

        One grouped query over the events; days without any come back as zeros.
        """
        today = today or timezone.localdate()
        first = today - timedelta(days=days - 1)
        actions = [*AuditEvent.LABEL_ACTIONS, AuditEvent.Action.DISMISSED, AuditEvent.Action.MARKED]
        rows = (self.filter(action__in=actions, created_at__date__gte=first, created_at__date__lte=today)
                .annotate(day=TruncDate("created_at"), verdict=KeyTextTransform("verdict", "after"))
                .values("day", "action", "verdict").annotate(n=Count("pk")).order_by())
        counts: dict[date, Counter[str]] = {first + timedelta(days=n): Counter() for n in range(days)}
        for row in rows:
            key = {AuditEvent.Action.DISMISSED: "dismissed", AuditEvent.Action.MARKED: "marked"}.get(
                row["action"], row["verdict"])
            counts[row["day"]][key] += row["n"]
        return counts

    def activity_by_person(self) -> models.QuerySet:
        """Per person: labels given and when they last did anything, most labels first."""
        return (self.filter(actor__isnull=False).values("actor__username")
                .annotate(labels=Count("pk", filter=Q(action__in=AuditEvent.LABEL_ACTIONS)),
                          last_active_at=Max("created_at"))
                .order_by("-labels", "actor__username"))

    def _lock_chain_head(self) -> str:
        # The chain is global, so writers must take turns: PostgreSQL with a transaction-scoped
        # advisory lock; SQLite already holds its single write lock (transaction_mode IMMEDIATE).
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK_ID])
        head = self.order_by("-pk").values_list("hash", flat=True).first()
        return head or GENESIS_HASH


AUDIT_CHAIN_LOCK_ID = 7_204_518


@dataclass(frozen=True)
class ChainReport:
    """What verify_chain found: how far the chain holds, and where and why it breaks, if it does."""

    count: int  # events verified before any break
    head: str  # hash of the last verified event
    broken_at: int | None = None  # pk of the first event that does not fit
    problem: str = ""


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        IMPORTED = "imported", _("Imported")
        PREMARKED = "premarked", _("Pre-marked")
        MARKED = "marked", _("Mark added")
        VERDICT_SET = "verdict_set", _("Label set")
        NOTE_SET = "note_set", _("Note changed")
        SPEAKER_SET = "speaker_set", _("Speaker changed")
        EVIDENCE_ADDED = "evidence_added", _("Evidence added")
        EVIDENCE_REMOVED = "evidence_removed", _("Evidence removed")
        DISMISSED = "dismissed", _("Dismissed")
        RESTORED = "restored", _("Restored")
        SPAN_ADJUSTED = "span_adjusted", _("Span adjusted")
        LABEL_RESTORED = "label_restored", _("Earlier label restored")
        MATCH_APPLIED = "match_applied", _("Verdict taken from an earlier check")
        ASSIGNED = "assigned", _("Assigned to a reviewer")
        UNASSIGNED = "unassigned", _("Unassigned from a reviewer")
        OPINION_GIVEN = "opinion_given", _("Opinion given")
        ADJUDICATED = "adjudicated", _("Disagreement settled")
        SPEAKERS_MERGED = "speakers_merged", _("Speakers merged")

    # The actions that give a mark a verdict, for counting labels.
    LABEL_ACTIONS = [Action.VERDICT_SET, Action.LABEL_RESTORED, Action.OPINION_GIVEN, Action.ADJUDICATED]

    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    actor_label = models.CharField(max_length=300, help_text=_("Username, or the pre-marker and its model."))
    action = models.CharField(max_length=30, choices=Action.choices)
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events")
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events")
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventManager()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.get_action_display()}"

    def hashed_content(self) -> dict:
        """Everything the hash covers. Timestamps are ISO 8601 in UTC with microseconds."""
        return {
            "created_at": self.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor_id": self.actor_id, "actor_label": self.actor_label, "action": self.action,
            "article_id": self.article_id, "claim_id": self.claim_id,
            "before": self.before, "after": self.after, "note": self.note,
        }

    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for each field this event changed, for the timeline."""
        keys = [k for k in {**self.before, **self.after} if k != "version"]
        return [(k, self.before.get(k), self.after.get(k)) for k in keys if self.before.get(k) != self.after.get(k)]


def heartbeat_timeout() -> timedelta:
    return timedelta(seconds=settings.IMPORT_HEARTBEAT_TIMEOUT)


class ImportBatchQuerySet(models.QuerySet["ImportBatch"]):
    def stalled(self) -> ImportBatchQuerySet:
        """Running batches whose worker has given no sign of life for IMPORT_HEARTBEAT_TIMEOUT: it died."""
        return self.filter(state=ImportBatch.State.RUNNING, heartbeat_at__lt=timezone.now() - heartbeat_timeout())


# How many failures, and how many other outcomes, an import's progress lists; the counts cover the rest.
PROGRESS_ROWS_SHOWN = 50


class ImportBatch(models.Model):
    """Files handed over in one go (an upload or a paste), imported in the background by a task.

    The worker running it beats a heartbeat; a running batch whose heartbeat stopped lost its worker
    and is queued again (`tasks.requeue_stalled_batches`), which the content hash makes safe.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text=_("Last sign of life from its worker."))
    # The task row a worker took it up with, so a dead worker's row can be closed when the batch is requeued.
    task_id = models.CharField(max_length=64, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.get_state_display()})"

    def progress(self) -> dict:
        """Files done and articles per outcome from the items' counters; the first failures and the first
        other outcomes, PROGRESS_ROWS_SHOWN of each. Its cost and the polled page's size do not grow with the batch."""
        totals = self.items.aggregate(
            files_total=Count("pk"), files_done=Count("pk", filter=~Q(status=ImportItem.Status.PENDING)),
            **{status: Coalesce(Sum(f"{status}_count"), 0) for status in ImportResult.Status.values},
        )
        results = ImportResult.objects.filter(item__batch=self)
        failures = list(results.filter(status=ImportResult.Status.FAILED)[:PROGRESS_ROWS_SHOWN])
        others = list(results.exclude(status=ImportResult.Status.FAILED)[:PROGRESS_ROWS_SHOWN])
        return {
            **totals, "articles_read": sum(totals[status] for status in ImportResult.Status.values),
            "failures": failures, "failures_not_shown": totals["failed"] - len(failures),
            "others": others, "others_not_shown": totals["imported"] + totals["duplicate"] - len(others),
            "crashed": list(self.items.filter(status=ImportItem.Status.CRASHED).only("source_name", "error")),
        }

    def set_state(self, state: str) -> None:
        self.state = state
        self.finished_at = timezone.now() if state == self.State.DONE else None
        self.save(update_fields=["state", "finished_at"])

    def take_up(self, *, task_id: str) -> None:
        """A worker starts (or restarts) the batch under this task."""
        self.state, self.task_id, self.heartbeat_at, self.finished_at = self.State.RUNNING, task_id, timezone.now(), None
        self.save(update_fields=["state", "task_id", "heartbeat_at", "finished_at"])

    def beat(self) -> None:
        """The worker is alive; written at most ten times per timeout, so a beat per article costs little."""
        now = timezone.now()
        if self.heartbeat_at is None or now - self.heartbeat_at >= heartbeat_timeout() / 10:
            self.heartbeat_at = now
            self.save(update_fields=["heartbeat_at"])

    @property
    def is_stalled(self) -> bool:
        return (self.state == self.State.RUNNING and self.heartbeat_at is not None
                and timezone.now() - self.heartbeat_at > heartbeat_timeout())

    def requeue_if_stalled(self) -> bool:
        """Queue a stalled batch again; False if it is alive, or another checker requeued it first."""
        # One conditional UPDATE, so two workers checking at once cannot both requeue it.
        requeued = ImportBatch.objects.stalled().filter(pk=self.pk).update(state=self.State.QUEUED)
        if requeued:
            self.state = self.State.QUEUED
        return bool(requeued)


class ImportItem(models.Model):
    """One uploaded file (or pasted article) of a batch, kept until imported so a failed one can be retried.

    A file is kept as its bytes, read by the worker; a pasted article was read into a draft when the
    form checked it, and is kept as that draft (`importing.ArticleDraft.as_json`).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DONE = "done", _("Done")
        CRASHED = "crashed", _("Crashed")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="items")
    source_name = models.CharField(max_length=500)
    data = models.BinaryField()
    draft = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    # How many of its articles ended each way; each one's outcome is an ImportResult row.
    imported_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.source_name

    @classmethod
    def refused(cls, batch: ImportBatch, failure) -> ImportItem:
        """A file turned away before reading (too large): stored finished at once, with its reason."""
        item = cls.objects.create(batch=batch, source_name=failure.source_name, data=b"", status=cls.Status.DONE)
        item.record_result(failure.source_name, ImportResult.Status.FAILED, failure.reason)
        return item

    @classmethod
    def pasted(cls, batch: ImportBatch, draft) -> ImportItem:
        """A pasted article, kept as the draft it was read into."""
        return cls(batch=batch, source_name=draft.source_name, data=b"", draft=draft.as_json())

    def record(self, outcome) -> None:
        """Keep one article's outcome (a storing.ImportOutcome), saved at once so the progress page sees it."""
        self.record_result(outcome.source_name, outcome.status, outcome.message, outcome.article)

    def record_result(self, source_name: str, status: str, message: str, article: Article | None = None) -> None:
        """One row and one counter step: the cost of progress does not grow with the file."""
        with transaction.atomic():
            ImportResult.objects.create(item=self, source_name=source_name, status=status, message=message,
                                        article=article)
            ImportItem.objects.filter(pk=self.pk).update(**{f"{status}_count": F(f"{status}_count") + 1})

    def start_over(self) -> None:
        """Forget the outcomes of an earlier run that crashed, before the file is read again."""
        with transaction.atomic():
            self.results.all().delete()
            ImportItem.objects.filter(pk=self.pk).update(error="", imported_count=0, duplicate_count=0, failed_count=0)
        self.error = ""


class ImportResult(models.Model):
    """How one article of an import ended: imported, already stored, or failed with the reason."""

    class Status(models.TextChoices):
        IMPORTED = "imported", _("Imported")
        DUPLICATE = "duplicate", _("Already stored")
        FAILED = "failed", _("Failed")

    item = models.ForeignKey(ImportItem, on_delete=models.CASCADE, related_name="results")
    source_name = models.TextField(help_text=_("The file, and the line for a row of a CSV or JSON Lines file."))
    status = models.CharField(max_length=10, choices=Status.choices)
    message = models.TextField()
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["item", "status"], name="import_result_item_status")]

    def __str__(self) -> str:
        return f"{self.source_name}: {self.message}"


class ClaimKeyManager(models.Manager["ClaimKey"]):
    def reindex(self, claim: Claim) -> None:
        """Index a labelled, live claim under its match keys; drop the keys of any other."""
        self.filter(claim=claim).delete()
        if claim.verdict != Claim.Verdict.UNREVIEWED and not claim.is_dismissed:
            self.bulk_create(ClaimKey.keys_for(claim))

    def frequency(self, keys: set[str]) -> dict[str, int]:
        """How many labelled claims each of these keys indexes (keys indexing none are left out)."""
        return dict(self.filter(key__in=keys).values_list("key").annotate(n=Count("id")).order_by())

    def keys_by_claim(self, keys: set[str], *, outside_articles: set[int]) -> dict[int, set[str]]:
        """Which of these keys each labelled claim is indexed under, for claims outside the given articles."""
        found: dict[int, set[str]] = {}
        rows = self.filter(key__in=keys).exclude(claim__article_id__in=outside_articles)
        for claim_id, key in rows.values_list("claim_id", "key"):
            found.setdefault(claim_id, set()).add(key)
        return found


class ClaimKey(models.Model):
    """A word or figure a labelled claim is indexed under, so "already checked" is a lookup, not a scan."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="match_keys")
    key = models.CharField(max_length=100)

    objects = ClaimKeyManager()

    class Meta:
        indexes = [models.Index(fields=["key", "claim"], name="claimkey_key_claim")]

    def __str__(self) -> str:
        return self.key

    @staticmethod
    def keys_for(claim: Claim) -> list[ClaimKey]:
        return [ClaimKey(claim=claim, key=key[:100]) for key in match_keys(claim.text)]
