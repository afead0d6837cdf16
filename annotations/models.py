"""Articles, their marks (claims and quotes), evidence, and the append-only audit history.

Every state change is a model method with a keyword-only actor; each one writes its
AuditEvent through AuditEvent.objects.record() in the same transaction.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timezone as dt_timezone

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone


class StaleClaimError(Exception):
    """A change was based on an older version of the claim than the stored one."""

    def __init__(self, claim: "Claim"):
        self.claim = claim
        super().__init__(f"Claim {claim.pk} changed since you loaded it (now version {claim.version}).")


def body_fingerprint(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class ArticleQuerySet(models.QuerySet):
    def with_progress(self) -> "ArticleQuerySet":
        """Count live marks and labelled ones; the order is restated because grouping drops Meta.ordering."""
        live = Q(claims__is_dismissed=False)
        return self.annotate(
            mark_count=Count("claims", filter=live),
            labelled_count=Count("claims", filter=live & ~Q(claims__verdict=Claim.Verdict.UNREVIEWED)),
        ).order_by(*self.model._meta.ordering)

    def with_unlabelled_marks(self) -> "ArticleQuerySet":
        # Subqueries, not joins, so the filters compose with with_progress() without inflating its counts.
        return self.filter(Exists(Claim.objects.unreviewed().filter(article=OuterRef("pk"))))

    def fully_labelled(self) -> "ArticleQuerySet":
        return self.exclude(Exists(Claim.objects.unreviewed().filter(article=OuterRef("pk"))))

    def with_verdict(self, verdict: str) -> "ArticleQuerySet":
        return self.filter(Exists(Claim.objects.live().filter(article=OuterRef("pk"), verdict=verdict)))

    def search(self, words: str) -> "ArticleQuerySet":
        """Articles whose title or text contains every word (case-insensitive)."""
        for word in words.split():
            self = self.filter(Q(title__icontains=word) | Q(body__icontains=word))
        return self

    def filtered(self, *, q: str = "", progress: str = "", verdict: str = "", imported_from=None,
                 imported_to=None) -> "ArticleQuerySet":
        """The article list's search and filters, each optional."""
        articles = self.search(q) if q else self
        if progress == "unlabelled":
            articles = articles.with_unlabelled_marks()
        elif progress == "done":
            articles = articles.fully_labelled()
        if verdict:
            articles = articles.with_verdict(verdict)
        if imported_from:
            articles = articles.filter(created_at__date__gte=imported_from)
        if imported_to:
            articles = articles.filter(created_at__date__lte=imported_to)
        return articles


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    def import_article(self, *, title: str, body: str, by, source_name: str = "", source_url: str = "",
                       author: str = "", published_at=None, note: str = "") -> tuple["Article", bool]:
        """Store a normalised article once; returns (article, created). A known body returns the stored one."""
        fingerprint = body_fingerprint(body)
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
        return article, True


class Article(models.Model):
    title = models.CharField(max_length=500)
    body = models.TextField(help_text="Normalised once at import and never changed: mark offsets point into it.")
    body_fingerprint = models.CharField(max_length=64, unique=True, editable=False)
    source_name = models.CharField(max_length=500, blank=True, help_text="File name, or 'pasted'.")
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

    def segments(self, claims=None) -> list[tuple[str, list["Claim"]]]:
        """Split the body into (text, covering marks) pieces, in order, for highlighting.

        Marks may overlap (a claim inside a quote), so each piece lists every mark covering it.
        """
        marks = list(claims if claims is not None else self.claims.live())
        cuts = {0, len(self.body)}
        for mark in marks:
            cuts.update((mark.start, mark.end))
        points = sorted(cuts)
        pieces = []
        for start, end in zip(points, points[1:]):
            covering = [m for m in marks if m.start <= start and end <= m.end]
            pieces.append((self.body[start:end], covering))
        return pieces

    def add_mark(self, *, start: int, end: int, kind: str, by, speaker: str = "") -> "Claim":
        """A person marks a span the machine missed."""
        if not (0 <= start < end <= len(self.body)):
            raise ValidationError(f"The span {start}–{end} is outside the article (length {len(self.body)}).")
        text = self.body[start:end]
        if not text.strip():
            raise ValidationError("The selected text is empty.")
        with transaction.atomic():
            if self.claims.filter(start=start, end=end, kind=kind).exists():
                raise ValidationError("That text is already marked as a " + kind + ".")
            claim = self.claims.create(
                start=start, end=end, text=text, kind=kind, origin=Claim.Origin.HUMAN,
                speaker=speaker if kind == Claim.Kind.QUOTE else "", is_touched=True,
            )
            AuditEvent.objects.record(
                AuditEvent.Action.MARKED, actor=by, article=self, claim=claim, after=claim.snapshot()
            )
        return claim

    def history(self) -> models.QuerySet:
        return self.audit_events.select_related("actor", "claim").order_by("pk")


class ClaimQuerySet(models.QuerySet):
    def live(self) -> "ClaimQuerySet":
        return self.filter(is_dismissed=False)

    def unreviewed(self) -> "ClaimQuerySet":
        return self.live().filter(verdict=Claim.Verdict.UNREVIEWED)

    def labelled(self) -> "ClaimQuerySet":
        return self.live().exclude(verdict=Claim.Verdict.UNREVIEWED)

    def for_article(self, article: Article) -> "ClaimQuerySet":
        return self.filter(article=article)

    def in_text_order(self) -> "ClaimQuerySet":
        return self.order_by("start", "end", "kind")

    def for_export(self) -> "ClaimQuerySet":
        return (
            self.select_related("article", "reviewed_by")
            .prefetch_related("evidence")
            .order_by("article_id", "start", "end", "pk")
        )


class Claim(models.Model):
    class Kind(models.TextChoices):
        CLAIM = "claim", "Claim"
        QUOTE = "quote", "Quote"

    class Origin(models.TextChoices):
        MACHINE = "machine", "Machine"
        HUMAN = "human", "Person"

    class Verdict(models.TextChoices):
        UNREVIEWED = "unreviewed", "Unreviewed"
        VERIFIED = "verified", "Verified"
        DISPUTED = "disputed", "Disputed"
        UNCLEAR = "unclear", "Unclear"

    VERDICT_HELP = {
        Verdict.VERIFIED: "The evidence supports the claim as stated.",
        Verdict.DISPUTED: "The evidence contradicts it, or credible sources contest it.",
        Verdict.UNCLEAR: "It cannot be settled with the evidence available.",
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

    class Meta:
        ordering = ["article", "start", "end"]
        permissions = [
            ("label_claim", "Can label, annotate and add marks"),
            ("restore_label", "Can restore an earlier label"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="claim_start_before_end"),
            models.UniqueConstraint(fields=["article", "start", "end", "kind"], name="one_mark_per_span_and_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}: {self.text[:60]}"

    def snapshot(self) -> dict:
        """What the history shows of this mark: enough to tell any two versions apart."""
        return {
            "kind": self.kind, "start": self.start, "end": self.end, "text": self.text,
            "speaker": self.speaker, "verdict": self.verdict, "note": self.note,
            "is_dismissed": self.is_dismissed, "version": self.version,
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
            AuditEvent.objects.record(
                action, actor=by, article=current.article, claim=current, before=before, after=after, note=note
            )
        self.refresh_from_db()

    def set_verdict(self, verdict: str, *, by, expected_version: int | None = None) -> None:
        if verdict not in self.Verdict.values:
            raise ValidationError(f"Unknown verdict {verdict!r}.")

        def apply(claim: Claim) -> list[str]:
            claim.verdict = verdict
            claim.reviewed_by = by
            claim.reviewed_at = timezone.now()
            claim.is_dismissed = False
            return ["verdict", "reviewed_by", "reviewed_at", "is_dismissed"]

        self._change(AuditEvent.Action.VERDICT_SET, by=by, expected_version=expected_version, apply=apply)

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
            raise ValidationError(f"The span {start}–{end} is not a non-empty part of the article.")

        def apply(claim: Claim) -> list[str]:
            claim.start, claim.end, claim.text = start, end, body[start:end]
            return ["start", "end", "text"]

        self._change(AuditEvent.Action.SPAN_ADJUSTED, by=by, expected_version=expected_version, apply=apply)

    def add_evidence(self, url: str, description: str = "", *, by, expected_version: int | None = None) -> None:
        if not url.lower().startswith(("http://", "https://")):
            raise ValidationError("Evidence links must start with http:// or https://.")
        def apply(claim: Claim) -> list[str]:
            claim.evidence.create(url=url, description=description.strip(), added_by=by)
            return []

        self._change(AuditEvent.Action.EVIDENCE_ADDED, by=by, expected_version=expected_version, apply=apply)

    def restore_label(self, event_id: int, *, by, expected_version: int | None = None) -> None:
        """Bring back the verdict and note this claim had after an earlier event, as a new event."""
        earlier = self.audit_events.filter(pk=event_id).first()
        if earlier is None or "verdict" not in earlier.after:
            raise ValidationError("That event is not a state of this claim to restore.")

        def apply(claim: Claim) -> list[str]:
            claim.verdict, claim.note = earlier.after["verdict"], earlier.after.get("note", claim.note)
            claim.reviewed_by, claim.reviewed_at = by, timezone.now()
            return ["verdict", "note", "reviewed_by", "reviewed_at"]

        self._change(AuditEvent.Action.LABEL_RESTORED, by=by, expected_version=expected_version, apply=apply,
                     note=f"restored the label of event {earlier.pk}")

    def remove_evidence(self, evidence_id: int, *, by, expected_version: int | None = None) -> None:
        def apply(claim: Claim) -> list[str]:
            deleted, _ = claim.evidence.filter(pk=evidence_id).delete()
            if not deleted:
                raise ValidationError("That evidence link is not on this claim.")
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
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.url


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


class AuditEventManager(models.Manager):
    def record(self, action: str, *, actor, article: Article | None = None, claim: Claim | None = None,
               before: dict | None = None, after: dict | None = None, note: str = "") -> "AuditEvent":
        """The one way to write history. Call it inside the transaction that makes the change."""
        is_person = actor is not None and not isinstance(actor, MachineActor)
        actor_label = actor.label if isinstance(actor, MachineActor) else (actor.get_username() if actor else "system")
        with transaction.atomic():
            previous_hash = self._lock_chain_head()
            event = self.model(
                created_at=timezone.now(), actor=actor if is_person else None, actor_label=actor_label,
                action=action, article=article, claim=claim, before=before or {}, after=after or {},
                note=note, previous_hash=previous_hash,
            )
            event.hash = event_hash(previous_hash, event.hashed_content())
            event.save(force_insert=True)
        return event

    def verify_chain(self) -> "ChainReport":
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
    count: int  # events verified before any break
    head: str  # hash of the last verified event
    broken_at: int | None = None  # pk of the first event that does not fit
    problem: str = ""


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        IMPORTED = "imported", "Imported"
        PREMARKED = "premarked", "Pre-marked"
        MARKED = "marked", "Mark added"
        VERDICT_SET = "verdict_set", "Label set"
        NOTE_SET = "note_set", "Note changed"
        SPEAKER_SET = "speaker_set", "Speaker changed"
        EVIDENCE_ADDED = "evidence_added", "Evidence added"
        EVIDENCE_REMOVED = "evidence_removed", "Evidence removed"
        DISMISSED = "dismissed", "Dismissed"
        RESTORED = "restored", "Restored"
        SPAN_ADJUSTED = "span_adjusted", "Span adjusted"
        LABEL_RESTORED = "label_restored", "Earlier label restored"

    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    actor_label = models.CharField(max_length=300, help_text="Username, or the pre-marker and its model.")
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
            "created_at": self.created_at.astimezone(dt_timezone.utc).isoformat(timespec="microseconds"),
            "actor_id": self.actor_id, "actor_label": self.actor_label, "action": self.action,
            "article_id": self.article_id, "claim_id": self.claim_id,
            "before": self.before, "after": self.after, "note": self.note,
        }

    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for each field this event changed, for the timeline."""
        keys = [k for k in {**self.before, **self.after} if k != "version"]
        return [(k, self.before.get(k), self.after.get(k)) for k in keys if self.before.get(k) != self.after.get(k)]


class ImportBatch(models.Model):
    """Files handed over in one go (an upload or a paste), imported in the background by a task."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.get_state_display()})"

    def progress(self) -> dict:
        """Files done, articles per outcome, and every failure with its reason, from the items' records."""
        items = list(self.items.defer("data"))
        outcomes = [outcome for item in items for outcome in item.outcomes]
        counts = {status: sum(o["status"] == status for o in outcomes) for status in ("imported", "duplicate", "failed")}
        return {
            "files_total": len(items),
            "files_done": sum(item.status != ImportItem.Status.PENDING for item in items),
            "articles_read": len(outcomes), **counts,
            "failures": [o for o in outcomes if o["status"] == "failed"],
            "crashed": [item for item in items if item.status == ImportItem.Status.CRASHED],
            "outcomes": outcomes,
        }

    def set_state(self, state: str) -> None:
        self.state = state
        self.finished_at = timezone.now() if state == self.State.DONE else None
        self.save(update_fields=["state", "finished_at"])


class ImportItem(models.Model):
    """One uploaded file (or pasted text) of a batch, kept until imported so a failed one can be retried."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        DONE = "done", "Done"
        CRASHED = "crashed", "Crashed"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="items")
    source_name = models.CharField(max_length=500)
    data = models.BinaryField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    outcomes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.source_name

    @staticmethod
    def outcome_entry(source_name: str, status: str, message: str, article_id: int | None = None) -> dict:
        return {"source_name": source_name, "status": status, "message": message, "article_id": article_id}

    @classmethod
    def refused(cls, batch: ImportBatch, failure) -> "ImportItem":
        """A file turned away before reading (too large): finished at once, with its reason."""
        return cls(batch=batch, source_name=failure.source_name, data=b"", status=cls.Status.DONE,
                   outcomes=[cls.outcome_entry(failure.source_name, "failed", failure.reason)])

    def record(self, outcome) -> None:
        """Keep one article's outcome, saved at once so the progress page sees it."""
        article_id = outcome.article.pk if outcome.article else None
        self.outcomes = [*self.outcomes, self.outcome_entry(outcome.source_name, outcome.status, outcome.message, article_id)]
        self.save(update_fields=["outcomes"])
