"""Model rules: every change is one audit event with before and after; stale edits are refused."""
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from annotations.models import GENESIS_HASH, Article, AuditEvent, Claim, StaleClaimError, event_hash

pytestmark = pytest.mark.django_db


def test_setting_a_verdict_records_one_audit_event_with_before_and_after(claim, reviewer):
    claim.set_verdict("verified", by=reviewer)
    event = claim.history().get()
    assert (event.action, event.actor, event.claim) == (AuditEvent.Action.VERDICT_SET, reviewer, claim)
    assert (event.before["verdict"], event.after["verdict"]) == ("unreviewed", "verified")
    assert claim.verdict == "verified" and claim.reviewed_by == reviewer and claim.reviewed_at


def test_changing_a_verdict_keeps_the_earlier_one_in_history(claim, reviewer, editor):
    claim.set_verdict("verified", by=reviewer)
    claim.set_verdict("disputed", by=editor)
    assert [(e.before["verdict"], e.after["verdict"]) for e in claim.history()] == [
        ("unreviewed", "verified"), ("verified", "disputed")]


def test_an_unknown_verdict_is_refused_and_records_nothing(claim, reviewer):
    with pytest.raises(ValidationError):
        claim.set_verdict("true-ish", by=reviewer)
    assert not claim.history().exists()


def test_every_change_bumps_the_version_and_marks_the_claim_touched(claim, reviewer):
    claim.set_note("Check the council minutes.", by=reviewer)
    claim.add_evidence("https://example.org/minutes", "Minutes", by=reviewer)
    claim.dismiss(by=reviewer)
    claim.restore(by=reviewer)
    assert claim.version == 5 and claim.is_touched
    assert [e.action for e in claim.history()] == ["note_set", "evidence_added", "dismissed", "restored"]


def test_a_change_based_on_a_stale_version_is_refused(claim, reviewer, editor):
    claim.set_verdict("verified", by=reviewer, expected_version=1)
    with pytest.raises(StaleClaimError) as refused:
        claim.set_verdict("disputed", by=editor, expected_version=1)
    assert refused.value.claim.verdict == "verified"
    assert claim.history().count() == 1


def test_removing_evidence_records_what_was_removed(claim, reviewer):
    claim.add_evidence("https://example.org/a", "A", by=reviewer)
    evidence = claim.evidence.get()
    claim.remove_evidence(evidence.pk, by=reviewer)
    event = claim.history().last()
    assert event.before["evidence"] == [{"url": "https://example.org/a", "description": "A"}]
    assert event.after["evidence"] == []


def test_adjusting_a_span_copies_the_new_text_from_the_body(claim, reviewer):
    claim.adjust_span(4, 16, by=reviewer)
    assert claim.text == claim.article.body[4:16] == "city council"
    assert claim.history().get().changes()[0][0] in {"start", "end", "text"}


def test_adjusting_a_span_outside_the_body_is_refused(claim, reviewer):
    with pytest.raises(ValidationError):
        claim.adjust_span(5, 10_000, by=reviewer)


def test_a_person_can_add_a_quote_the_machine_missed(article, reviewer):
    claim = article.add_mark(start=70, end=103, kind=Claim.Kind.QUOTE, speaker="Ann Lee", by=reviewer)
    assert claim.origin == "human" and claim.text == article.body[70:103]
    assert claim.history().get().action == AuditEvent.Action.MARKED


def test_adding_the_same_mark_twice_is_refused(article, reviewer):
    article.add_mark(start=0, end=20, kind="claim", by=reviewer)
    with pytest.raises(ValidationError):
        article.add_mark(start=0, end=20, kind="claim", by=reviewer)


def test_a_mark_must_start_before_it_ends(article):
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(article=article, kind="claim", start=10, end=10, text="")


def test_article_segments_cover_the_body_and_list_overlapping_marks(article, make_claim):
    outer = make_claim(start=0, end=30)
    inner = make_claim(start=4, end=16, kind=Claim.Kind.QUOTE)
    pieces = article.segments()
    assert "".join(text for _, text, _ in pieces) == article.body
    assert pieces[1] == (4, "city council", [outer, inner])


def test_article_segments_list_each_mark_only_where_it_lies(article, make_claim):
    first, second = make_claim(start=0, end=4), make_claim(start=10, end=20)
    covering = [marks for _, _, marks in article.segments()]
    assert covering == [[first], [], [second], []]


def test_article_segments_of_a_stretch_cut_only_inside_it(article, make_claim):
    outer = make_claim(start=0, end=30)
    make_claim(start=40, end=50)
    pieces = article.segments(start=10, end=35)
    assert [(offset, covering) for offset, _, covering in pieces] == [(10, [outer]), (30, [])]
    assert "".join(text for _, text, _ in pieces) == article.body[10:35]


def test_importing_records_an_event_and_a_known_body_is_not_stored_twice(editor):
    article, created = Article.objects.import_article(title="T", body="Body.", by=editor)
    again, created_again = Article.objects.import_article(title="Other", body="Body.", by=editor)
    assert created and not created_again and again == article
    assert article.history().get().action == AuditEvent.Action.IMPORTED


def test_events_form_a_hash_chain(claim, reviewer):
    claim.set_verdict("verified", by=reviewer)
    claim.set_note("n", by=reviewer)
    events = list(AuditEvent.objects.order_by("pk"))
    assert events[0].previous_hash == GENESIS_HASH
    for previous, event in itertools.pairwise(events):
        assert event.previous_hash == previous.hash
    for event in events:
        assert event.hash == event_hash(event.previous_hash, event.hashed_content())


def test_restoring_an_earlier_label_is_a_new_event_and_leaves_the_old_ones_alone(claim, reviewer, editor):
    claim.set_note("Matches the minutes.", by=reviewer)
    claim.set_verdict("verified", by=reviewer)
    first_label = claim.history().last()
    claim.set_note("", by=editor)
    claim.set_verdict("disputed", by=editor)
    untouched = [(e.pk, e.hash) for e in claim.history()]
    claim.restore_label(first_label.pk, by=editor)
    assert (claim.verdict, claim.note, claim.reviewed_by) == ("verified", "Matches the minutes.", editor)
    restore = claim.history().last()
    assert restore.action == AuditEvent.Action.LABEL_RESTORED and str(first_label.pk) in restore.note
    assert [(e.pk, e.hash) for e in claim.history()][:-1] == untouched


def test_restoring_an_event_of_another_claim_is_refused(claim, make_claim, reviewer):
    other = make_claim(start=70, end=103)
    other.set_verdict("verified", by=reviewer)
    with pytest.raises(ValidationError):
        claim.restore_label(other.history().get().pk, by=reviewer)


def test_progress_counts_survive_the_unlabelled_filter(article, make_claim, reviewer):
    make_claim(start=0, end=5).set_verdict("verified", by=reviewer)
    make_claim(start=6, end=10)
    make_claim(start=11, end=15)
    (counted,) = Article.objects.with_progress().with_unlabelled_marks()
    assert (counted.mark_count, counted.labelled_count) == (3, 1)


def test_evidence_must_be_an_http_link(claim, reviewer):
    with pytest.raises(ValidationError):
        claim.add_evidence("javascript:alert(1)", by=reviewer)
    assert not claim.evidence.exists()


def test_a_body_another_worker_stores_at_the_same_moment_returns_their_article(monkeypatch, editor):
    body = "The ferry company added two crossings a day from June."
    theirs, _ = Article.objects.import_article(title="Ferries", body=body, by=editor)
    # Our look-up ran before their insert committed: it saw nothing, so our insert meets their row.
    real_filter, calls = Article.objects.filter, []

    def filter_seeing_nothing_the_first_time(*args, **kwargs):
        calls.append(args or kwargs)
        return Article.objects.none() if len(calls) == 1 else real_filter(*args, **kwargs)

    monkeypatch.setattr(Article.objects, "filter", filter_seeing_nothing_the_first_time)
    ours, created = Article.objects.import_article(title="Ferries again", body=body, by=editor)
    assert (ours, created) == (theirs, False)
    assert Article.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORTED).count() == 1
