"""The review workspace: the queue, assignments, second opinions and their settling, agreement, speakers."""
import json
from collections import Counter
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from annotations.agreement import agreement_by_pair, cohens_kappa
from annotations.exports import select_claims
from annotations.match_search import match_text
from annotations.models import Article, Assignment, AuditEvent, Claim, Opinion, Speaker, SpeakerAlias

from .conftest import make_user

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
NEXT = reverse("annotations:review_next")


def mark_url(claim: Claim) -> str:
    """Where the queue sends a reviewer for this mark."""
    return reverse("annotations:article_detail", args=[claim.article_id]) + f"?queue={claim.pk}#claim-{claim.pk}"


def span(article: Article, text: str) -> dict:
    start = article.body.index(text)
    return {"article": article, "start": start, "end": start + len(text)}


@pytest.fixture
def second_reviewer(db):
    return make_user("sam", "Reviewer")


@pytest.fixture
def third_reviewer(db):
    return make_user("tess", "Reviewer")


@pytest.fixture
def second_opinion(settings):
    settings.SECOND_OPINION = True


@pytest.fixture
def other_article(editor) -> Article:
    article, _ = Article.objects.import_article(
        title="Port expands", body="The port handled 9 million containers in 2024. \"We are growing,\" said Jo Park.",
        by=editor)
    return article


@pytest.fixture
def marks(article, make_claim) -> dict[str, Claim]:
    """A scored claim, a better scored claim, and an unscored quote, on the fixture article."""
    return {
        "budget": make_claim(**span(article, "The city council approved a budget of 4.2 million pounds on Monday."),
                             score=0.6),
        "reckless": make_claim(**span(article, "Critics called the plan reckless."), score=0.9),
        "quote": make_claim(**span(article, "This is a good day for the town,"), kind=Claim.Kind.QUOTE,
                            speaker="Ann Lee", score=None),
    }


def next_mark(client, **filters) -> str:
    response = client.get(NEXT, filters)
    assert response.status_code == 302
    return response["Location"]


def moved_on_to(response) -> int:
    """The next mark a queue answer sends the reviewer to: on the same page (an event) or another page."""
    if "HX-Trigger-After-Settle" in response:
        return json.loads(response["HX-Trigger-After-Settle"])["queue-next"]["claim"]
    return int(response["HX-Redirect"].rsplit("#claim-", 1)[1])


# The queue

def test_review_next_goes_to_the_highest_scored_unlabelled_mark(reviewer_client, marks):
    assert next_mark(reviewer_client) == mark_url(marks["reckless"])


def test_unscored_quotes_and_hand_made_marks_come_after_every_scored_mark(reviewer_client, reviewer, marks):
    marks["reckless"].set_verdict("verified", by=reviewer)
    marks["budget"].set_verdict("verified", by=reviewer)
    assert next_mark(reviewer_client) == mark_url(marks["quote"])


def test_equal_scores_go_to_the_older_article_first_then_text_order(reviewer_client, article, other_article,
                                                                    make_claim):
    Article.objects.filter(pk=article.pk).update(created_at=timezone.now() - timedelta(days=1))
    make_claim(**span(other_article, "The port handled 9 million containers in 2024."), score=0.7)
    later = make_claim(**span(article, "Critics called the plan reckless."), score=0.7)
    earlier = make_claim(**span(article, "The city council approved a budget"), score=0.7)
    assert next_mark(reviewer_client) == mark_url(earlier)
    earlier.dismiss(by=make_user("someone", "Reviewer"))
    assert next_mark(reviewer_client) == mark_url(later)


def test_labelled_and_dismissed_marks_leave_the_queue(reviewer_client, reviewer, marks):
    marks["reckless"].set_verdict("disputed", by=reviewer)
    marks["budget"].dismiss(by=reviewer)
    assert next_mark(reviewer_client) == mark_url(marks["quote"])


def test_marks_of_articles_assigned_to_the_reviewer_come_before_higher_scores(
    reviewer_client, reviewer, editor, marks, other_article, make_claim
):
    low = make_claim(**span(other_article, "The port handled 9 million containers in 2024."), score=0.1)
    other_article.assign(reviewer, by=editor)
    assert next_mark(reviewer_client) == mark_url(low)


def test_articles_assigned_to_someone_else_do_not_jump_the_queue(
    reviewer_client, second_reviewer, editor, marks, other_article, make_claim
):
    make_claim(**span(other_article, "The port handled 9 million containers in 2024."), score=0.1)
    other_article.assign(second_reviewer, by=editor)
    assert next_mark(reviewer_client) == mark_url(marks["reckless"])


def test_the_kind_filter_narrows_the_queue(reviewer_client, marks):
    assert next_mark(reviewer_client, kind="quote") == mark_url(marks["quote"])


def test_the_speaker_filter_ignores_case(reviewer_client, marks):
    assert next_mark(reviewer_client, speaker="ann LEE") == mark_url(marks["quote"])


def test_the_article_filter_narrows_the_queue(reviewer_client, marks, other_article, make_claim):
    port = make_claim(**span(other_article, "The port handled 9 million containers in 2024."), score=0.2)
    assert next_mark(reviewer_client, article=other_article.pk) == mark_url(port)


def test_the_import_date_filters_narrow_the_queue(reviewer_client, marks, other_article, make_claim):
    port = make_claim(**span(other_article, "The port handled 9 million containers in 2024."), score=0.2)
    Article.objects.filter(pk=marks["reckless"].article_id).update(created_at=timezone.now() - timedelta(days=10))
    today = timezone.localdate().isoformat()
    assert next_mark(reviewer_client, imported_from=today, imported_to=today) == mark_url(port)


def test_the_filters_are_remembered_for_the_next_review_next(reviewer_client, marks):
    next_mark(reviewer_client, kind="quote")
    assert next_mark(reviewer_client) == mark_url(marks["quote"])


def test_submitting_blank_filters_clears_the_remembered_ones(reviewer_client, marks):
    next_mark(reviewer_client, kind="quote")
    assert next_mark(reviewer_client, kind="") == mark_url(marks["reckless"])


def test_invalid_filters_are_a_400_and_keep_the_remembered_ones(reviewer_client, marks):
    next_mark(reviewer_client, kind="quote")
    assert reviewer_client.get(NEXT, {"imported_from": "not a date"}).status_code == 400
    assert next_mark(reviewer_client) == mark_url(marks["quote"])


def test_an_empty_queue_says_so_kindly(reviewer_client, reviewer, claim):
    claim.set_verdict("verified", by=reviewer)
    response = reviewer_client.get(NEXT)
    assert response.status_code == 200
    assert "Queue empty" in response.content.decode()


def test_an_empty_queue_under_filters_offers_to_clear_them(reviewer_client, marks):
    page = reviewer_client.get(NEXT, {"speaker": "Nobody"}).content.decode()
    assert "Queue empty" in page and "Clear filters" in page


# Labelling from the queue

def test_the_article_page_opened_from_the_queue_marks_its_forms_next_queue(reviewer_client, marks):
    page = reviewer_client.get(mark_url(marks["reckless"])).content.decode()
    assert page.count('name="next" value="queue"') >= len(marks) * 2  # the label and dismiss forms
    assert page.count("edit/?queue=1") == len(marks)  # the note and evidence forms, loaded when opened
    assert "Next in queue" in page


def test_the_article_page_opened_directly_has_no_next_queue_field(reviewer_client, marks, article):
    page = reviewer_client.get(reverse("annotations:article_detail", args=[article.pk])).content.decode()
    assert 'name="next"' not in page
    assert "Next in queue" in page


def test_a_label_from_the_queue_without_javascript_redirects_to_review_next(reviewer_client, reviewer, marks):
    response = reviewer_client.post(reverse("annotations:claim_verdict", args=[marks["reckless"].pk]),
                                    {"verdict": "verified", "next": "queue"})
    assert response.status_code == 302 and response["Location"] == NEXT
    assert next_mark(reviewer_client) == mark_url(marks["budget"])


def test_a_label_from_the_queue_with_htmx_sends_the_page_to_the_next_mark(reviewer_client, marks):
    response = reviewer_client.post(reverse("annotations:claim_verdict", args=[marks["reckless"].pk]),
                                    {"verdict": "verified", "next": "queue"}, **HTMX)
    assert response.status_code == 200
    assert moved_on_to(response) == marks["budget"].pk
    marks["reckless"].refresh_from_db()
    assert marks["reckless"].verdict == "verified"


def test_dismissing_from_the_queue_moves_on_too(reviewer_client, marks):
    response = reviewer_client.post(reverse("annotations:claim_dismiss", args=[marks["reckless"].pk]),
                                    {"next": "queue"}, **HTMX)
    assert moved_on_to(response) == marks["budget"].pk


def test_the_last_label_from_the_queue_with_htmx_goes_to_the_empty_queue(reviewer_client, claim):
    response = reviewer_client.post(reverse("annotations:claim_verdict", args=[claim.pk]),
                                    {"verdict": "unclear", "next": "queue"}, **HTMX)
    assert response["HX-Redirect"] == NEXT


def test_the_next_mark_respects_the_remembered_filters(reviewer_client, marks):
    next_mark(reviewer_client, kind="claim")
    response = reviewer_client.post(reverse("annotations:claim_verdict", args=[marks["reckless"].pk]),
                                    {"verdict": "verified", "next": "queue"}, **HTMX)
    assert moved_on_to(response) == marks["budget"].pk


def test_a_label_outside_the_queue_with_htmx_still_answers_with_the_fragment(reviewer_client, marks):
    response = reviewer_client.post(reverse("annotations:claim_verdict", args=[marks["reckless"].pk]),
                                    {"verdict": "verified"}, **HTMX)
    assert "HX-Redirect" not in response
    assert response.content.decode().lstrip().startswith('<li class="mark-panel')


def test_a_note_saved_from_the_queue_stays_on_the_mark_and_keeps_the_queue_field(reviewer_client, marks):
    response = reviewer_client.post(reverse("annotations:claim_note", args=[marks["reckless"].pk]),
                                    {"note": "Checking the minutes", "next": "queue"}, **HTMX)
    assert "HX-Redirect" not in response
    assert 'name="next" value="queue"' in response.content.decode()


def test_a_refused_label_from_the_queue_does_not_move_on(reviewer_client, marks):
    response = reviewer_client.post(reverse("annotations:claim_verdict", args=[marks["reckless"].pk]),
                                    {"verdict": "true", "next": "queue"}, **HTMX)
    assert response.status_code == 400 and "HX-Redirect" not in response


def test_the_article_list_offers_review_next_to_reviewers(reviewer_client):
    page = reviewer_client.get(reverse("annotations:article_list")).content.decode()
    assert f'class="button button-primary" href="{NEXT}"' in page


def test_the_article_list_offers_no_review_next_to_viewers(client, viewer):
    client.force_login(viewer)
    assert NEXT not in client.get(reverse("annotations:article_list")).content.decode()


# Assignments

def test_assigning_an_article_records_one_event(article, reviewer, editor):
    article.assign(reviewer, by=editor)
    assert Assignment.objects.get(article=article).reviewer == reviewer
    event = AuditEvent.objects.filter(action=AuditEvent.Action.ASSIGNED).get()
    assert (event.actor, event.article, event.after) == (editor, article, {"reviewer": "rita"})


def test_assigning_the_same_reviewer_twice_changes_nothing(article, reviewer, editor):
    article.assign(reviewer, by=editor)
    article.assign(reviewer, by=editor)
    assert Assignment.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ASSIGNED).count() == 1


def test_unassigning_records_an_event(article, reviewer, editor):
    article.assign(reviewer, by=editor)
    article.unassign(reviewer, by=editor)
    assert not Assignment.objects.exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.UNASSIGNED).get().before == {"reviewer": "rita"}


def test_someone_who_cannot_label_cannot_be_assigned(article, viewer, editor):
    with pytest.raises(ValidationError):
        article.assign(viewer, by=editor)
    assert not Assignment.objects.exists()


def test_an_editor_assigns_a_reviewer_from_the_article_page(editor_client, editor, reviewer, article):
    page = editor_client.get(reverse("annotations:article_detail", args=[article.pk])).content.decode()
    assert 'id="assignments"' in page and '<option value="rita">' in page
    response = editor_client.post(reverse("annotations:article_assign", args=[article.pk]), {"reviewer": "rita"})
    assert response.status_code == 302
    assert article.assignments.get().assigned_by == editor


def test_assigning_someone_who_cannot_label_is_a_form_error(editor_client, viewer, article):
    response = editor_client.post(reverse("annotations:article_assign", args=[article.pk]), {"reviewer": "vic"})
    assert response.status_code == 400
    assert not Assignment.objects.exists()


def test_an_editor_unassigns_from_the_article_page(editor_client, editor, reviewer, article):
    article.assign(reviewer, by=editor)
    editor_client.post(reverse("annotations:article_unassign", args=[article.pk]), {"reviewer": "rita"})
    assert not Assignment.objects.exists()


def test_a_reviewer_cannot_assign_articles(reviewer_client, reviewer, article):
    response = reviewer_client.post(reverse("annotations:article_assign", args=[article.pk]), {"reviewer": "rita"})
    assert response.status_code == 403
    assert not Assignment.objects.exists()


def test_reviewers_do_not_see_the_assignment_form(reviewer_client, article):
    page = reviewer_client.get(reverse("annotations:article_detail", args=[article.pk])).content.decode()
    assert 'id="assignments"' not in page


def test_my_queue_lists_the_articles_assigned_to_me_with_their_progress(
    reviewer_client, reviewer, editor, marks, other_article
):
    marks["reckless"].set_verdict("verified", by=reviewer)
    marks["reckless"].article.assign(reviewer, by=editor)
    page = reviewer_client.get(reverse("annotations:my_queue")).content.decode()
    assert reverse("annotations:article_detail", args=[marks["reckless"].article_id]) in page
    assert reverse("annotations:article_detail", args=[other_article.pk]) not in page
    assert "1 of 3 labelled" in page


# Second opinions

def test_with_second_opinion_off_a_label_is_final_at_once(claim, reviewer):
    claim.set_verdict("verified", by=reviewer)
    claim.refresh_from_db()
    assert claim.review_state == Claim.ReviewState.FINAL
    assert not Opinion.objects.exists()
    assert AuditEvent.objects.get(claim=claim).action == AuditEvent.Action.VERDICT_SET


def test_with_second_opinion_off_the_history_does_not_show_review_states(reviewer_client, reviewer, claim):
    claim.set_verdict("verified", by=reviewer)
    page = reviewer_client.get(reverse("annotations:claim_history", args=[claim.pk])).content.decode()
    assert "review state" not in page


def test_a_first_opinion_shows_its_verdict_and_waits_for_a_second(second_opinion, claim, reviewer):
    claim.set_verdict("verified", by=reviewer)
    claim.refresh_from_db()
    assert (claim.verdict, claim.review_state) == ("verified", Claim.ReviewState.NEEDS_SECOND)
    assert Opinion.objects.get().verdict == "verified"
    event = AuditEvent.objects.get(claim=claim)
    assert (event.action, event.actor, event.after["verdict"], event.after["review_state"]) == (
        AuditEvent.Action.OPINION_GIVEN, reviewer, "verified", "needs_second")


def test_a_second_reviewer_agreeing_makes_the_claim_final(second_opinion, claim, reviewer, second_reviewer):
    claim.set_verdict("verified", by=reviewer)
    claim.set_verdict("verified", by=second_reviewer)
    claim.refresh_from_db()
    assert (claim.verdict, claim.review_state, claim.reviewed_by) == ("verified", "final", second_reviewer)


def test_a_second_reviewer_disagreeing_opens_a_disagreement(second_opinion, claim, reviewer, second_reviewer):
    claim.set_verdict("verified", by=reviewer)
    claim.set_verdict("disputed", by=second_reviewer)
    claim.refresh_from_db()
    assert claim.review_state == Claim.ReviewState.DISAGREEMENT
    assert dict(claim.opinions.values_list("reviewer__username", "verdict")) == {"rita": "verified", "sam": "disputed"}


def test_the_same_reviewer_cannot_give_the_second_opinion(second_opinion, claim, reviewer):
    claim.set_verdict("verified", by=reviewer)
    with pytest.raises(ValidationError, match="another reviewer"):
        claim.set_verdict("verified", by=reviewer)
    claim.refresh_from_db()
    assert claim.review_state == Claim.ReviewState.NEEDS_SECOND
    assert AuditEvent.objects.filter(claim=claim).count() == 1


def test_the_same_reviewer_is_refused_through_the_page_with_the_reason(second_opinion, reviewer_client, reviewer,
                                                                        claim):
    claim.set_verdict("verified", by=reviewer)
    response = reviewer_client.post(reverse("annotations:claim_verdict", args=[claim.pk]),
                                    {"verdict": "verified"}, **HTMX)
    assert response.status_code == 400
    assert "a second opinion has to come from another reviewer" in response.content.decode()


def test_a_reviewer_who_changes_their_mind_updates_their_one_opinion(second_opinion, claim, reviewer):
    claim.set_verdict("verified", by=reviewer)
    claim.set_verdict("unclear", by=reviewer)
    claim.refresh_from_db()
    assert list(claim.opinions.values_list("verdict", flat=True)) == ["unclear"]
    assert (claim.verdict, claim.review_state) == ("unclear", Claim.ReviewState.NEEDS_SECOND)
    assert [e.after["verdict"] for e in claim.history()] == ["verified", "unclear"]


def test_a_disagreement_ends_when_a_reviewer_comes_round(second_opinion, claim, reviewer, second_reviewer):
    claim.set_verdict("verified", by=reviewer)
    claim.set_verdict("disputed", by=second_reviewer)
    claim.set_verdict("verified", by=second_reviewer)
    claim.refresh_from_db()
    assert claim.review_state == Claim.ReviewState.FINAL


def test_a_differing_opinion_reopens_a_final_claim_as_a_disagreement(second_opinion, claim, reviewer,
                                                                      second_reviewer, third_reviewer):
    claim.set_verdict("verified", by=reviewer)
    claim.set_verdict("verified", by=second_reviewer)
    claim.set_verdict("disputed", by=third_reviewer)
    claim.refresh_from_db()
    assert claim.review_state == Claim.ReviewState.DISAGREEMENT


def test_opinions_bump_versions_and_keep_the_hash_chain_intact(second_opinion, claim, reviewer, second_reviewer,
                                                               editor):
    claim.set_verdict("verified", by=reviewer)
    claim.set_verdict("disputed", by=second_reviewer)
    claim.adjudicate("disputed", "The minutes show a different figure.", by=editor)
    claim.refresh_from_db()
    assert [e.after["version"] for e in claim.history()] == [2, 3, 4]
    assert claim.version == 4
    assert AuditEvent.objects.verify_chain().broken_at is None


def test_a_stale_opinion_is_refused(second_opinion, claim, reviewer, second_reviewer):
    version = claim.version
    claim.set_verdict("verified", by=reviewer)
    with pytest.raises(Exception, match="changed since"):
        claim.set_verdict("disputed", by=second_reviewer, expected_version=version)
    assert Opinion.objects.count() == 1


def test_only_final_claims_are_final(second_opinion, marks, reviewer, second_reviewer):
    marks["budget"].set_verdict("verified", by=reviewer)
    marks["reckless"].set_verdict("verified", by=reviewer)
    marks["reckless"].set_verdict("verified", by=second_reviewer)
    assert list(Claim.objects.final()) == [marks["reckless"]]


def test_the_queue_offers_a_claim_awaiting_a_second_opinion_to_other_reviewers_only(
    second_opinion, client, reviewer, second_reviewer, claim
):
    claim.set_verdict("verified", by=reviewer)
    client.force_login(second_reviewer)
    assert next_mark(client) == mark_url(claim)
    client.force_login(reviewer)
    assert "Queue empty" in client.get(NEXT).content.decode()


def test_the_mark_panel_shows_the_opinions_when_second_opinions_are_on(second_opinion, reviewer_client, reviewer,
                                                                        second_reviewer, claim):
    claim.set_verdict("verified", by=reviewer)
    claim.set_verdict("disputed", by=second_reviewer)
    page = reviewer_client.get(reverse("annotations:article_detail", args=[claim.article_id])).content.decode()
    assert "Reviewers disagree" in page and "rita says verified; sam says disputed" in page


# Settling disagreements

@pytest.fixture
def disputed_claim(second_opinion, claim, reviewer, second_reviewer) -> Claim:
    claim.set_verdict("verified", by=reviewer)
    claim.set_verdict("disputed", by=second_reviewer)
    claim.refresh_from_db()
    return claim


def test_an_editor_settles_a_disagreement_with_a_verdict_and_a_note(disputed_claim, editor):
    disputed_claim.adjudicate("unclear", "Sources conflict.", by=editor)
    disputed_claim.refresh_from_db()
    assert (disputed_claim.verdict, disputed_claim.review_state, disputed_claim.reviewed_by) == (
        "unclear", Claim.ReviewState.FINAL, editor)
    event = disputed_claim.history().last()
    assert (event.action, event.actor, event.note) == (AuditEvent.Action.ADJUDICATED, editor, "Sources conflict.")
    assert (event.before["review_state"], event.after["review_state"]) == ("disagreement", "final")


def test_settling_without_a_note_is_refused(disputed_claim, editor):
    with pytest.raises(ValidationError, match="needs a note"):
        disputed_claim.adjudicate("unclear", "  ", by=editor)
    disputed_claim.refresh_from_db()
    assert disputed_claim.review_state == Claim.ReviewState.DISAGREEMENT


def test_only_a_disagreement_can_be_settled(second_opinion, claim, reviewer, editor):
    claim.set_verdict("verified", by=reviewer)
    with pytest.raises(ValidationError, match="disagree"):
        claim.adjudicate("unclear", "Why not.", by=editor)


def test_an_opinion_matching_a_settled_verdict_keeps_it_final(disputed_claim, editor, third_reviewer):
    disputed_claim.adjudicate("unclear", "Sources conflict.", by=editor)
    disputed_claim.set_verdict("unclear", by=third_reviewer)
    disputed_claim.refresh_from_db()
    assert disputed_claim.review_state == Claim.ReviewState.FINAL


def test_the_disagreements_page_lists_each_disagreement_with_the_opinions(editor_client, disputed_claim):
    page = editor_client.get(reverse("annotations:disagreements")).content.decode()
    assert disputed_claim.text in page
    assert "rita" in page and "sam" in page
    assert reverse("annotations:claim_adjudicate", args=[disputed_claim.pk]) in page


def test_an_editor_settles_from_the_disagreements_page(editor_client, editor, disputed_claim):
    response = editor_client.post(reverse("annotations:claim_adjudicate", args=[disputed_claim.pk]),
                                  {"verdict": "disputed", "note": "The minutes say 3.9 million.",
                                   "expected_version": disputed_claim.version})
    assert response.status_code == 302 and response["Location"] == reverse("annotations:disagreements")
    disputed_claim.refresh_from_db()
    assert (disputed_claim.verdict, disputed_claim.review_state) == ("disputed", Claim.ReviewState.FINAL)


def test_settling_from_the_page_without_a_note_is_a_400_and_changes_nothing(editor_client, disputed_claim):
    response = editor_client.post(reverse("annotations:claim_adjudicate", args=[disputed_claim.pk]),
                                  {"verdict": "disputed", "note": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    disputed_claim.refresh_from_db()
    assert disputed_claim.review_state == Claim.ReviewState.DISAGREEMENT


def test_settling_a_claim_that_changed_meanwhile_is_a_409(editor_client, disputed_claim, reviewer):
    version = disputed_claim.version
    disputed_claim.set_verdict("disputed", by=reviewer)
    response = editor_client.post(reverse("annotations:claim_adjudicate", args=[disputed_claim.pk]),
                                  {"verdict": "verified", "note": "Checked.", "expected_version": version})
    assert response.status_code == 409


def test_settling_a_claim_another_editor_settled_first_says_why_it_was_not_saved(editor_client, editor,
                                                                                 disputed_claim):
    disputed_claim.adjudicate("unclear", "Sources conflict.", by=editor)
    response = editor_client.post(reverse("annotations:claim_adjudicate", args=[disputed_claim.pk]),
                                  {"verdict": "verified", "note": "Checked."})
    assert response.status_code == 400
    assert "Only a claim the reviewers disagree on can be settled." in response.content.decode()
    disputed_claim.refresh_from_db()
    assert disputed_claim.verdict == "unclear"


def test_a_reviewer_cannot_settle_a_disagreement(reviewer_client, disputed_claim):
    response = reviewer_client.post(reverse("annotations:claim_adjudicate", args=[disputed_claim.pk]),
                                    {"verdict": "verified", "note": "Mine."})
    assert response.status_code == 403
    disputed_claim.refresh_from_db()
    assert disputed_claim.review_state == Claim.ReviewState.DISAGREEMENT


# Agreement

def test_cohens_kappa_matches_a_hand_computed_example():
    # 50 items: both yes 20, both no 15, yes/no 5, no/yes 10. Observed 35/50 = 0.7.
    # First rater yes 25/50, second yes 30/50: chance 0.5*0.6 + 0.5*0.4 = 0.5. Kappa (0.7-0.5)/(1-0.5) = 0.4.
    pairs = Counter({("yes", "yes"): 20, ("no", "no"): 15, ("yes", "no"): 5, ("no", "yes"): 10})
    assert cohens_kappa(pairs) == pytest.approx(0.4)


def test_cohens_kappa_is_undefined_when_chance_agreement_is_certain():
    assert cohens_kappa({("verified", "verified"): 4}) is None
    assert cohens_kappa({}) is None


def test_cohens_kappa_is_negative_when_raters_always_differ():
    assert cohens_kappa({("a", "b"): 3, ("b", "a"): 3}) == pytest.approx(-1.0)


def test_the_agreement_page_shows_shared_claims_percent_and_kappa_per_pair(
    second_opinion, editor_client, article, make_claim, reviewer, second_reviewer
):
    verdicts = [("verified", "verified"), ("disputed", "disputed"), ("verified", "disputed"), ("unclear", "unclear")]
    for number, (first, second) in enumerate(verdicts):
        claim = make_claim(start=number, end=number + 5)
        claim.set_verdict(first, by=reviewer)
        claim.set_verdict(second, by=second_reviewer)
    (pair,) = agreement_by_pair()
    assert (pair.first, pair.second, pair.shared, pair.open_disagreements) == ("rita", "sam", 4, 1)
    assert pair.agreement == pytest.approx(0.75)
    # Chance: rita v2 d1 u1, sam v1 d2 u1 → (2*1 + 1*2 + 1*1)/16 = 5/16; kappa (12/16 - 5/16)/(11/16) = 7/11.
    assert pair.kappa == pytest.approx(7 / 11)
    page = editor_client.get(reverse("annotations:agreement")).content.decode()
    assert "rita and sam" in page and "75 %" in page and "0.64" in page


def test_the_agreement_page_shows_a_dash_when_kappa_is_undefined(second_opinion, editor_client, claim, reviewer,
                                                                  second_reviewer):
    claim.set_verdict("verified", by=reviewer)
    claim.set_verdict("verified", by=second_reviewer)
    page = editor_client.get(reverse("annotations:agreement")).content.decode()
    assert "100 %" in page and "—</span>" in page


def test_reviewers_cannot_see_the_agreement_page(reviewer_client):
    assert reviewer_client.get(reverse("annotations:agreement")).status_code == 403


# Speakers

@pytest.fixture
def quotes(article, other_article, make_claim) -> list[Claim]:
    return [
        make_claim(**span(article, "This is a good day for the town,"), kind=Claim.Kind.QUOTE, speaker="Ann Lee"),
        make_claim(**span(other_article, "We are growing,"), kind=Claim.Kind.QUOTE, speaker="Jo Park"),
        make_claim(**span(other_article, "The port handled 9 million containers in 2024."), kind=Claim.Kind.QUOTE,
                   speaker="ANN LEE"),
    ]


def test_syncing_makes_one_speaker_per_name_ignoring_case(quotes):
    assert Speaker.objects.sync_from_quotes() == 2
    assert sorted(name.lower() for name in Speaker.objects.values_list("name", flat=True)) == ["ann lee", "jo park"]
    assert SpeakerAlias.objects.count() == 2


def test_the_spelling_most_quotes_use_names_the_speaker(quotes, article, make_claim):
    make_claim(**span(article, "Critics called the plan reckless."), kind=Claim.Kind.QUOTE, speaker="ANN LEE")
    Speaker.objects.sync_from_quotes()
    assert Speaker.objects.filter(name="ANN LEE").exists() and not Speaker.objects.filter(name="Ann Lee").exists()


def test_syncing_again_with_nothing_new_is_one_query(quotes, django_assert_num_queries):
    Speaker.objects.sync_from_quotes()
    with django_assert_num_queries(1):
        assert Speaker.objects.sync_from_quotes() == 0


def test_a_quote_by_a_known_alias_makes_no_new_speaker(quotes, article, make_claim):
    Speaker.objects.sync_from_quotes()
    make_claim(**span(article, "Critics called the plan reckless."), kind=Claim.Kind.QUOTE, speaker="jo park")
    assert Speaker.objects.sync_from_quotes() == 0


def test_the_speaker_list_syncs_and_counts_quotes(reviewer_client, quotes):
    page = reviewer_client.get(reverse("annotations:speaker_list")).content.decode()
    assert Speaker.objects.count() == 2
    ann = Speaker.objects.get(name__iexact="ann lee")
    assert Speaker.objects.with_quote_counts().get(pk=ann.pk).quote_count == 2
    assert reverse("annotations:speaker_detail", args=[ann.pk]) in page


def test_the_speaker_page_lists_quotes_across_articles_with_counts_per_verdict(reviewer_client, reviewer, quotes):
    Speaker.objects.sync_from_quotes()
    quotes[0].set_verdict("verified", by=reviewer)
    ann = Speaker.objects.get(name__iexact="ann lee")
    response = reviewer_client.get(reverse("annotations:speaker_detail", args=[ann.pk]))
    counts = {value: count for value, _, count in response.context["verdict_counts"]}
    assert counts == {"unreviewed": 1, "verified": 1, "disputed": 0, "unclear": 0}
    page = response.content.decode()
    assert "Council approves budget" in page and "Port expands" in page


def test_merging_speakers_moves_the_aliases_and_records_both_lists(quotes, editor):
    Speaker.objects.sync_from_quotes()
    ann, jo = Speaker.objects.get(name__iexact="ann lee"), Speaker.objects.get(name="Jo Park")
    ann.merge(jo, by=editor)
    assert not Speaker.objects.filter(pk=jo.pk).exists()
    assert ann.quotes().count() == 3
    event = AuditEvent.objects.get(action=AuditEvent.Action.SPEAKERS_MERGED)
    assert event.actor == editor
    assert event.before == {ann.name: [ann.name], "Jo Park": ["Jo Park"]}
    assert event.after == {ann.name: sorted([ann.name, "Jo Park"], key=str.lower)}


def test_a_speaker_cannot_be_merged_with_itself(quotes, editor):
    Speaker.objects.sync_from_quotes()
    ann = Speaker.objects.get(name__iexact="ann lee")
    with pytest.raises(ValidationError):
        ann.merge(ann, by=editor)


def test_an_editor_merges_speakers_from_the_speaker_page(editor_client, quotes):
    Speaker.objects.sync_from_quotes()
    ann, jo = Speaker.objects.get(name__iexact="ann lee"), Speaker.objects.get(name="Jo Park")
    response = editor_client.post(reverse("annotations:speaker_merge", args=[ann.pk]), {"other": jo.pk})
    assert response.status_code == 302
    assert list(Speaker.objects.values_list("pk", flat=True)) == [ann.pk]


def test_merging_a_speaker_into_itself_from_the_page_is_a_400(editor_client, quotes):
    Speaker.objects.sync_from_quotes()
    ann = Speaker.objects.get(name__iexact="ann lee")
    response = editor_client.post(reverse("annotations:speaker_merge", args=[ann.pk]), {"other": ann.pk})
    assert response.status_code == 400
    assert Speaker.objects.count() == 2


def test_a_reviewer_cannot_merge_speakers(reviewer_client, quotes):
    Speaker.objects.sync_from_quotes()
    ann, jo = Speaker.objects.get(name__iexact="ann lee"), Speaker.objects.get(name="Jo Park")
    response = reviewer_client.post(reverse("annotations:speaker_merge", args=[ann.pk]), {"other": jo.pk})
    assert response.status_code == 403
    assert Speaker.objects.count() == 2


# Query counts

def fill_desk(editor, reviewers: list, articles: int) -> None:
    """Articles assigned to the editor, each with a quote the two reviewers disagree on; half by Ann Lee."""
    first, second = reviewers
    for number in range(articles):
        article, _ = Article.objects.import_article(title=f"Article {number}", body=f"Body {number} says things.",
                                                    by=editor)
        article.assign(editor, by=editor)
        quote = Claim.objects.create(article=article, kind="quote", start=0, end=4, text="Body",
                                     speaker=f"Speaker {number}" if number % 2 else "Ann Lee")
        quote.set_verdict("verified", by=first)
        quote.set_verdict("disputed", by=second)
    Speaker.objects.sync_from_quotes()


# Page: queries for session, user and permissions (4), then the page's own.
PAGE_QUERIES = {
    "my_queue": 7,  # assigned articles with progress, the next mark, the filter form's articles
    "speaker_list": 8,  # unknown speakers, count, page, their aliases
    "speaker_detail": 10,  # speaker, aliases, counts per verdict, count, page, speakers to merge
    "disagreements": 6,  # claims with their articles, their opinions with reviewers
    "agreement": 6,  # pairs of opinions grouped, open disagreements
}


@pytest.mark.parametrize("articles", [1, 12])
@pytest.mark.parametrize("name", sorted(PAGE_QUERIES))
def test_review_pages_run_the_same_number_of_queries_however_much_data(
    second_opinion, editor_client, editor, second_reviewer, third_reviewer, articles, name, django_assert_num_queries
):
    fill_desk(editor, [second_reviewer, third_reviewer], articles)
    args = [Speaker.objects.get(name="Ann Lee").pk] if name == "speaker_detail" else []
    with django_assert_num_queries(PAGE_QUERIES[name]):
        assert editor_client.get(reverse(f"annotations:{name}", args=args)).status_code == 200


# Already checked

@pytest.fixture
def checked_elsewhere(editor, reviewer):
    """A claim verified, with evidence, in another article."""
    other, _ = Article.objects.import_article(
        title="Earlier story", body="The city council approved a budget of 4.2 million pounds on Monday.", by=editor)
    earlier = other.add_mark(start=0, end=len(other.body), kind="claim", by=reviewer)
    earlier.add_evidence("https://example.org/minutes", "Council minutes", by=reviewer)
    earlier.set_verdict("verified", by=reviewer)
    return earlier


def test_a_mark_that_matches_a_claim_checked_elsewhere_shows_where_and_by_whom(reviewer_client, claim, checked_elsewhere):
    page = reviewer_client.get(reverse("annotations:article_detail", args=[claim.article_id])).content.decode()
    assert "Already checked:" in page and "Earlier story" in page
    assert f"#claim-{checked_elsewhere.pk}" in page


def test_a_mark_with_a_different_figure_is_not_shown_as_already_checked(reviewer_client, make_claim, editor, reviewer):
    other, _ = Article.objects.import_article(
        title="Other story", body="The city council approved a budget of 5.9 million pounds on Monday.", by=editor)
    other.add_mark(start=0, end=len(other.body), kind="claim", by=reviewer).set_verdict("verified", by=reviewer)
    claim = make_claim()
    page = reviewer_client.get(reverse("annotations:article_detail", args=[claim.article_id])).content.decode()
    assert "Already checked:" not in page


def test_applying_the_earlier_verdict_copies_it_with_the_evidence_and_records_the_link(
        reviewer_client, reviewer, claim, checked_elsewhere):
    response = reviewer_client.post(reverse("annotations:claim_apply_match", args=[claim.pk]),
                                    {"source": checked_elsewhere.pk, "expected_version": claim.version})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.verdict == "verified" and claim.reviewed_by == reviewer
    assert list(claim.evidence.values_list("url", flat=True)) == ["https://example.org/minutes"]
    event = claim.history().last()
    assert event.action == AuditEvent.Action.MATCH_APPLIED and f"claim {checked_elsewhere.pk}" in event.note


def post_match(client, claim: Claim, source: Claim):
    return client.post(reverse("annotations:claim_apply_match", args=[claim.pk]),
                       {"source": source.pk, "expected_version": claim.version})


def test_a_match_is_applied_only_from_the_claim_the_search_found(reviewer_client, reviewer, claim, checked_elsewhere,
                                                                 other_article):
    sentence = "The port handled 9 million containers in 2024."
    unrelated = other_article.add_mark(start=0, end=len(sentence), kind="claim", by=reviewer)
    unrelated.set_verdict("disputed", by=reviewer)
    assert post_match(reviewer_client, claim, unrelated).status_code == 400
    claim.refresh_from_db()
    assert claim.verdict == "unreviewed" and not claim.evidence.exists()


@pytest.mark.parametrize("second_opinions", [False, True])
def test_a_match_never_overturns_a_verdict(settings, client, reviewer, second_reviewer, third_reviewer, claim,
                                           checked_elsewhere, second_opinions):
    settings.SECOND_OPINION = second_opinions
    claim.set_verdict("disputed", by=reviewer)
    if second_opinions:
        claim.set_verdict("disputed", by=second_reviewer)
    client.force_login(third_reviewer)
    assert post_match(client, claim, checked_elsewhere).status_code == 400
    with pytest.raises(ValidationError):  # nor past the form
        claim.apply_match(checked_elsewhere, by=third_reviewer)
    claim.refresh_from_db()
    assert (claim.verdict, claim.review_state) == ("disputed", Claim.ReviewState.FINAL)


def test_with_second_opinions_an_applied_match_is_one_opinion_awaiting_a_second(
        second_opinion, reviewer_client, reviewer, claim, checked_elsewhere):
    assert post_match(reviewer_client, claim, checked_elsewhere).status_code == 302
    claim.refresh_from_db()
    assert (claim.verdict, claim.review_state) == ("verified", Claim.ReviewState.NEEDS_SECOND)
    assert list(claim.opinions.values_list("reviewer", "verdict")) == [(reviewer.pk, "verified")]
    assert claim not in select_claims()


def test_labelling_indexes_a_claim_and_dismissing_it_drops_it_from_the_index(claim, reviewer):
    claim.set_verdict("disputed", by=reviewer)
    assert match_text("On Monday the city council approved a 4.2 million pound budget.") == claim
    claim.dismiss(by=reviewer)
    assert match_text("On Monday the city council approved a 4.2 million pound budget.") is None


def test_a_next_mark_on_the_same_page_is_a_focus_move_not_a_page_load(reviewer_client, marks):
    response = reviewer_client.post(reverse("annotations:claim_verdict", args=[marks["reckless"].pk]),
                                    {"verdict": "verified", "next": "queue"}, **HTMX)
    assert "HX-Redirect" not in response and f'id="claim-{marks["reckless"].pk}"' in response.content.decode()
    assert json.loads(response["HX-Trigger-After-Settle"]) == {"queue-next": {"claim": marks["budget"].pk}}


def test_a_next_mark_in_another_article_swaps_that_article_into_the_page(
        reviewer_client, reviewer, marks, editor, make_claim):
    other, _ = Article.objects.import_article(title="Other", body="Ferry fares rose 9 percent in May.", by=editor)
    elsewhere = make_claim(article=other, start=0, end=34, score=0.8)
    response = reviewer_client.post(reverse("annotations:claim_verdict", args=[marks["reckless"].pk]),
                                    {"verdict": "verified", "next": "queue"}, **HTMX)
    page = response.content.decode()
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#main", "outerHTML")
    assert response["HX-Push-Url"] == mark_url(elsewhere)
    assert json.loads(response["HX-Trigger-After-Settle"]) == {"queue-next": {"claim": elsewhere.pk}}
    assert page.startswith("<title>Other · factcheck</title>") and "<html" not in page and "<nav" not in page
    assert '<main id="main"' in page and "Ferry fares rose" in page
    assert 'name="next" value="queue"' in page


def test_the_last_label_in_the_queue_leads_to_the_empty_queue_page(reviewer_client, marks):
    Claim.objects.exclude(pk=marks["reckless"].pk).update(verdict="verified")
    response = reviewer_client.post(reverse("annotations:claim_verdict", args=[marks["reckless"].pk]),
                                    {"verdict": "verified", "next": "queue"}, **HTMX)
    assert response["HX-Redirect"] == reverse("annotations:review_next")
