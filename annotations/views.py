"""One function per screen or action: fetch, validate, call one model method, respond.

Claim actions are plain form posts (Post/Redirect/Get) that htmx enhances: with `request.htmx`
they answer with the mark's `_claim.html` fragment instead of a redirect. A label given from the
review queue (`next=queue`) moves on to the next mark in the queue instead. The actions on one
mark share their contract through `@claim_action`.
"""
from __future__ import annotations

import functools
import importlib.metadata
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Prefetch
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect, push_url, reswap, retarget, trigger_client_event
from django_htmx.middleware import HtmxDetails

from annotations import rendering
from annotations.agreement import agreement_by_pair
from annotations.dashboard import label_chart
from annotations.exports import FORMATS, audit_lines, export_filename, select_claims
from annotations.forms import (
    AdjudicationForm,
    ArticleFilterForm,
    AssignForm,
    AuditExportForm,
    ClaimChangeForm,
    ClaimForm,
    EvidenceForm,
    EvidenceRemoveForm,
    ExportFilterForm,
    ImportForm,
    MatchForm,
    NoteForm,
    QueueFilterForm,
    SpeakerForm,
    SpeakerMergeForm,
    UnassignForm,
    VerdictForm,
)
from annotations.match_search import matches_for
from annotations.models import (
    LABEL_PERMISSION,
    MANAGE_REVIEWS_PERMISSION,
    Article,
    AuditEvent,
    Claim,
    ImportBatch,
    Opinion,
    Speaker,
    StaleClaimError,
)
from annotations.rendering import MarkPanel
from annotations.tasks import queue_import, retry_crashed

LABEL = LABEL_PERMISSION
MANAGE_REVIEWS = MANAGE_REVIEWS_PERMISSION
QUEUE_FILTERS = "queue_filters"  # session key: the reviewer's "Review next" filters
# The layouts a page extends: the whole document, or its title and main element alone for htmx to swap in.
WHOLE_PAGE, MAIN_ONLY = "base.html", "_main.html"


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it, for the type checker."""

    htmx: HtmxDetails


def claim_action(view: Callable[[HtmxHttpRequest, Claim], HttpResponse]) -> Callable[..., HttpResponse]:
    """A labelling action on one mark: a signed-in POST by someone who may label, with the claim fetched."""

    @login_required
    @require_POST
    @permission_required(LABEL, raise_exception=True)
    @functools.wraps(view)
    def with_claim(request: HtmxHttpRequest, pk: int) -> HttpResponse:
        return view(request, get_object_or_404(Claim, pk=pk))

    return with_claim


@login_required
def article_list(request: HttpRequest) -> HttpResponse:
    form = ArticleFilterForm(request.GET)
    articles = Article.objects.with_progress()
    if form.is_valid():
        articles = articles.filtered(**form.cleaned_data)
    page = Paginator(articles, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "annotations/article_list.html",
                  {"form": form, "page": page, "query": query.urlencode(), "filtering": bool(query)})


@login_required
@permission_required("annotations.import_articles", raise_exception=True)
def article_import(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "annotations/article_import.html", {"form": ImportForm()})
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "annotations/article_import.html", {"form": form}, status=400)
    sources, drafts, refused = form.to_import()
    batch = queue_import(sources, drafts=drafts, refused=refused, by=request.user)
    return redirect("annotations:import_batch", pk=batch.pk)


@login_required
@permission_required("annotations.import_articles", raise_exception=True)
def import_batch(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A batch's live progress; htmx polls the fragment until the batch is done."""
    batch = get_object_or_404(ImportBatch, pk=pk)
    template = "annotations/_import_progress.html" if request.htmx else "annotations/import_batch.html"
    return render(request, template, {"batch": batch, "progress": batch.progress()})


@login_required
@require_POST
@permission_required("annotations.import_articles", raise_exception=True)
def import_retry(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=pk)
    retry_crashed(batch)
    return redirect("annotations:import_batch", pk=batch.pk)


@login_required
def article_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.with_progress(), pk=pk)
    return _article_page(request, article, section_only=bool(request.htmx) and "section" in request.GET)


@login_required
def article_history(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    return render(request, "annotations/article_history.html",
                  {"article": article, "timeline": _timeline(article.history())})


@login_required
def claim_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A mark's note, speaker and evidence forms: the fragment a panel loads when opened, or a page without JS."""
    claim = get_object_or_404(Claim.objects.for_panels(), pk=pk)
    panel = MarkPanel(claim, in_queue="queue" in request.GET, expanded=True)
    template = "annotations/_claim_edit.html" if request.htmx else "annotations/claim_edit.html"
    return render(request, template, {"panel": panel})


@login_required
def claim_history(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim.objects.select_related("article"), pk=pk)
    return render(request, "annotations/claim_history.html", {"claim": claim, "timeline": _timeline(claim.history())})


@login_required
def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "annotations/help.html", {"verdict_help": Claim.VERDICT_HELP})


@login_required
@require_POST
@permission_required(LABEL, raise_exception=True)
def claim_create(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.with_progress(), pk=pk)
    form = ClaimForm(request.POST)
    if form.is_valid():
        try:
            claim = article.add_mark(**form.cleaned_data, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(_claim_url(claim))
    return _article_page(request, article, claim_form=form, status=400)


@claim_action
def claim_verdict(request: HtmxHttpRequest, claim: Claim) -> HttpResponse:
    return _change_claim(request, claim, VerdictForm(request.POST, claim=claim), lambda data, version: (
        claim.set_verdict(data["verdict"], by=request.user, expected_version=version)), moves_on=True)


@claim_action
def claim_apply_match(request: HtmxHttpRequest, claim: Claim) -> HttpResponse:
    return _change_claim(request, claim, MatchForm(request.POST, claim=claim), lambda data, version: (
        claim.apply_match(data["source"], by=request.user, expected_version=version)))


@claim_action
def claim_dismiss(request: HtmxHttpRequest, claim: Claim) -> HttpResponse:
    return _change_claim(request, claim, ClaimChangeForm(request.POST, claim=claim), lambda data, version: (
        claim.dismiss(by=request.user, expected_version=version)), moves_on=True)


@claim_action
def claim_restore(request: HtmxHttpRequest, claim: Claim) -> HttpResponse:
    return _change_claim(request, claim, ClaimChangeForm(request.POST, claim=claim), lambda data, version: (
        claim.restore(by=request.user, expected_version=version)))


@login_required
@require_POST
@permission_required("annotations.restore_label", raise_exception=True)
def claim_restore_label(request: HttpRequest, pk: int) -> HttpResponse:
    """An editor brings back an earlier label from the claim's history (a new event; nothing is rewritten)."""
    claim = get_object_or_404(Claim, pk=pk)
    try:
        claim.restore_label(int(request.POST.get("event", 0) or 0), by=request.user)
    except (ValidationError, ValueError):
        return HttpResponseBadRequest(_("That event is not an earlier label of this claim."))
    return redirect("annotations:claim_history", pk=claim.pk)


@claim_action
def claim_note(request: HtmxHttpRequest, claim: Claim) -> HttpResponse:
    return _change_claim(request, claim, NoteForm(request.POST, claim=claim), lambda data, version: (
        claim.set_note(data["note"], by=request.user, expected_version=version)))


@claim_action
def claim_speaker(request: HtmxHttpRequest, claim: Claim) -> HttpResponse:
    return _change_claim(request, claim, SpeakerForm(request.POST, claim=claim), lambda data, version: (
        claim.set_speaker(data["speaker"], by=request.user, expected_version=version)))


@claim_action
def claim_evidence_add(request: HtmxHttpRequest, claim: Claim) -> HttpResponse:
    return _change_claim(request, claim, EvidenceForm(request.POST, claim=claim), lambda data, version: (
        claim.add_evidence(data["url"], data["description"], by=request.user, expected_version=version)))


@claim_action
def claim_evidence_remove(request: HtmxHttpRequest, claim: Claim) -> HttpResponse:
    return _change_claim(request, claim, EvidenceRemoveForm(request.POST, claim=claim), lambda data, version: (
        claim.remove_evidence(data["evidence"], by=request.user, expected_version=version)))


@login_required
@permission_required("annotations.export_claims", raise_exception=True)
def claims_export(request: HttpRequest) -> HttpResponse:
    return render(request, "annotations/claims_export.html", {"form": ExportFilterForm()})


@login_required
@permission_required("annotations.export_claims", raise_exception=True)
def claims_download(request: HttpRequest) -> HttpResponseBase:
    """The filtered claims in the chosen format, streamed row by row."""
    form = ExportFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "annotations/claims_export.html", {"form": form}, status=400)
    filters = {name: value for name, value in form.cleaned_data.items() if name != "export_format"}
    write_chunks, content_type, _extension = FORMATS[form.cleaned_data["export_format"]]
    response = StreamingHttpResponse(write_chunks(select_claims(**filters)), content_type=content_type)
    filename = export_filename(timezone.localdate(), form.cleaned_data["export_format"])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@permission_required("annotations.export_claims", raise_exception=True)
def audit_download(request: HttpRequest) -> HttpResponseBase:
    """The audit log (one article's with ?article=ID) as JSON Lines with the hashes."""
    form = AuditExportForm(request.GET)
    if not form.is_valid():
        raise Http404(_("No such article."))
    events = AuditEvent.objects.order_by("pk")
    if (article_id := form.cleaned_data["article"]) is not None:
        events = events.filter(article=get_object_or_404(Article, pk=article_id))
    response = StreamingHttpResponse(audit_lines(events), content_type="application/x-ndjson; charset=utf-8")
    scope = f"article-{article_id}" if article_id is not None else "all"
    response["Content-Disposition"] = f'attachment; filename="factcheck-audit-{scope}-{timezone.localdate():%Y-%m-%d}.jsonl"'
    return response


@login_required
@permission_required(LABEL, raise_exception=True)
def review_next(request: HttpRequest) -> HttpResponse:
    """Straight to the most check-worthy mark left to label, within the filters the reviewer chose."""
    if QueueFilterForm.is_chosen(request.GET):
        form = QueueFilterForm(request.GET)
        if not form.is_valid():
            return render(request, "annotations/queue_empty.html", {"form": form}, status=400)
        request.session[QUEUE_FILTERS] = form.to_keep()
    claim = _next_in_queue(request)
    if claim is None:
        return render(request, "annotations/queue_empty.html", {"form": _queue_filters(request)})
    return redirect(_claim_url(claim, queue=True))


@login_required
@permission_required(LABEL, raise_exception=True)
def my_queue(request: HttpRequest) -> HttpResponse:
    """The articles assigned to this reviewer with their progress, what comes next, and the queue's filters."""
    articles = Article.objects.assigned_to(request.user).with_progress()
    return render(request, "annotations/my_queue.html",
                  {"articles": articles, "next_claim": _next_in_queue(request), "form": _queue_filters(request)})


@login_required
@require_POST
@permission_required(MANAGE_REVIEWS, raise_exception=True)
def article_assign(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.with_progress(), pk=pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _article_page(request, article, assign_form=form, status=400)
    article.assign(form.cleaned_data["reviewer"], by=request.user)
    messages.success(request, _("Assigned to %(reviewer)s.")
                     % {"reviewer": form.cleaned_data["reviewer"].get_username()})
    return redirect(reverse("annotations:article_detail", args=[article.pk]) + "#assignments")


@login_required
@require_POST
@permission_required(MANAGE_REVIEWS, raise_exception=True)
def article_unassign(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    form = UnassignForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose a reviewer to unassign."))
    article.unassign(form.cleaned_data["reviewer"], by=request.user)
    messages.success(request, _("No longer assigned to %(reviewer)s.")
                     % {"reviewer": form.cleaned_data["reviewer"].get_username()})
    return redirect(reverse("annotations:article_detail", args=[article.pk]) + "#assignments")


@login_required
@permission_required(MANAGE_REVIEWS, raise_exception=True)
def disagreements(request: HttpRequest) -> HttpResponse:
    return _disagreements_page(request)


@login_required
@require_POST
@permission_required(MANAGE_REVIEWS, raise_exception=True)
def claim_adjudicate(request: HttpRequest, pk: int) -> HttpResponse:
    """An editor settles a disagreement with a verdict and a note; a refusal keeps what they typed."""
    claim = get_object_or_404(Claim, pk=pk)
    form = AdjudicationForm(request.POST, claim=claim)
    if not form.is_valid():
        return _disagreements_page(request, failed_form=form, status=400)
    try:
        claim.adjudicate(form.cleaned_data["verdict"], form.cleaned_data["note"], by=request.user,
                         expected_version=form.cleaned_data["expected_version"])
    except StaleClaimError:
        form.add_error(None, _("A reviewer changed this claim since you loaded it; check the opinions again."))
        return _disagreements_page(request, failed_form=form, status=409)
    except ValidationError as error:
        form.add_error(None, error)
        return _disagreements_page(request, failed_form=form, status=400)
    messages.success(request, _("Settled as %(verdict)s: %(text)s")
                     % {"verdict": claim.get_verdict_display(), "text": claim.text[:80]})
    return redirect("annotations:disagreements")


@login_required
@permission_required(MANAGE_REVIEWS, raise_exception=True)
def agreement(request: HttpRequest) -> HttpResponse:
    """How often each two reviewers agree (percent and Cohen's kappa), from their opinions."""
    return render(request, "annotations/agreement.html", {
        "pairs": agreement_by_pair(), "open_count": Claim.objects.in_disagreement().count(),
        "second_opinion": Claim.is_second_opinion_required()})


@login_required
def speaker_list(request: HttpRequest) -> HttpResponse:
    Speaker.objects.sync_from_quotes()
    speakers = Speaker.objects.with_quote_counts().prefetch_related("aliases").order_by("-quote_count", "name")
    return render(request, "annotations/speaker_list.html",
                  {"page": Paginator(speakers, 100).get_page(request.GET.get("page"))})


@login_required
def speaker_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _speaker_page(request, get_object_or_404(Speaker, pk=pk))


@login_required
@require_POST
@permission_required(MANAGE_REVIEWS, raise_exception=True)
def speaker_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Fold another speaker (all their spellings) into this one."""
    speaker = get_object_or_404(Speaker, pk=pk)
    form = SpeakerMergeForm(request.POST, speaker=speaker)
    if not form.is_valid():
        return _speaker_page(request, speaker, merge_form=form, status=400)
    speaker.merge(form.cleaned_data["other"], by=request.user)
    messages.success(request, _("Merged %(other)s into %(speaker)s.")
                     % {"other": form.cleaned_data["other"].name, "speaker": speaker.name})
    return redirect("annotations:speaker_detail", pk=speaker.pk)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Labels per day, who is labelling, where the backlog is, and where the pre-marker goes wrong."""
    days = label_chart(days=30)
    return render(request, "annotations/dashboard.html", {
        "days": days, "day_max": max(day.total for day in days),
        "people": AuditEvent.objects.activity_by_person(), "backlog": list(Article.objects.with_backlog()[:20]),
        "quality": Claim.objects.premark_quality(),
    })


def _change_claim(request: HtmxHttpRequest, claim: Claim, form: Form,
                  change: Callable[[dict, int | None], None], *, moves_on: bool = False) -> HttpResponse:
    """Validate, apply one model method, answer. A stale version gets 409 and the change that overtook it.

    A label (`moves_on`) given from the queue answers with the next mark in the queue instead.
    """
    in_queue = request.POST.get("next") == "queue"
    if not form.is_valid():
        return _answer(request, MarkPanel(claim, failed_form=form, in_queue=in_queue), status=400)
    try:
        change(form.cleaned_data, form.cleaned_data["expected_version"])
    except StaleClaimError as stale:
        panel = MarkPanel(stale.claim, failed_form=form, conflict=stale.claim.history().last(), in_queue=in_queue)
        return _answer(request, panel, status=409)
    except ValidationError as error:
        form.add_error(None, error)
        return _answer(request, MarkPanel(claim, failed_form=form, in_queue=in_queue), status=400)
    if in_queue and moves_on:
        return _on_to_next_in_queue(request, claim)
    if not request.htmx:
        return redirect(_claim_url(claim, queue=in_queue))
    return _answer(request, MarkPanel(claim, in_queue=in_queue))


def _on_to_next_in_queue(request: HtmxHttpRequest, labelled: Claim) -> HttpResponse:
    """After a label from the queue, on to the next mark.

    With htmx, a next mark in the same article is only a focus move, one in another article a swap
    of the page's main part for that article's (no page load); either way the page tells annotate.js
    which mark is next through an event. A plain post goes via review_next.
    """
    if not request.htmx:
        return redirect("annotations:review_next")
    claim = _next_in_queue(request)
    if claim is None:
        return HttpResponseClientRedirect(reverse("annotations:review_next"))
    if claim.article_id == labelled.article_id:
        response = _answer(request, MarkPanel(labelled, in_queue=True))
    else:
        response = _article_page(request, Article.objects.with_progress().get(pk=claim.article_id),
                                 in_queue=True, opening=claim, layout=MAIN_ONLY)
        push_url(reswap(retarget(response, "#main"), "outerHTML"), _claim_url(claim, queue=True))
    return trigger_client_event(response, "queue-next", {"claim": claim.pk}, after="settle")


def _queue_filters(request: HttpRequest) -> QueueFilterForm:
    return QueueFilterForm(request.session.get(QUEUE_FILTERS, {}))


def _next_in_queue(request: HttpRequest) -> Claim | None:
    return Claim.objects.queue_for(request.user, **_queue_filters(request).filters()).select_related("article").first()


def _disagreements_page(request: HttpRequest, *, failed_form: AdjudicationForm | None = None,
                        status: int = 200) -> HttpResponse:
    """Each claim reviewers disagree on, with everyone's opinion and a form to settle it."""
    claims = Claim.objects.in_disagreement().select_related("article").prefetch_related(
        Prefetch("opinions", Opinion.objects.select_related("reviewer"))).order_by("article__created_at", "start")
    items = [(claim, failed_form if failed_form and failed_form.claim_pk == claim.pk else AdjudicationForm(claim=claim))
             for claim in claims]
    # A claim settled meanwhile has left the list: its refusal is shown above it instead.
    unlisted = failed_form if failed_form and failed_form not in [form for _, form in items] else None
    return render(request, "annotations/disagreements.html", {
        "items": items, "unlisted_failure": unlisted, "second_opinion": Claim.is_second_opinion_required()},
        status=status)


def _speaker_page(request: HttpRequest, speaker: Speaker, *, merge_form: SpeakerMergeForm | None = None,
                  status: int = 200) -> HttpResponse:
    quotes = speaker.quotes().select_related("article", "reviewed_by").order_by("article__created_at", "start")
    return render(request, "annotations/speaker_detail.html", {
        "speaker": speaker, "aliases": speaker.alias_names(), "verdict_counts": quotes.verdict_counts(),
        "page": Paginator(quotes, 100).get_page(request.GET.get("page")),
        "merge_form": merge_form or SpeakerMergeForm(speaker=speaker)}, status=status)


def _answer(request: HtmxHttpRequest, panel: MarkPanel, *, status: int = 200) -> HttpResponse:
    """htmx gets the mark's fragment, with its paragraphs and the progress swapped out of band; a plain post, the page.

    A change touches only the paragraphs its mark lies in (paragraphs end at the body's newlines,
    whatever the marks). A refused change swaps the whole text: someone else's change may have
    touched any paragraph.
    """
    article = Article.objects.with_progress().get(pk=panel.claim.article_id)
    if not request.htmx:
        return _article_page(request, article, panel=panel, status=status)
    context = {"panel": panel, "article": article, "oob": True}
    if status != 200:
        claims = list(article.claims.in_text_order())
        sections = rendering.sections(article.body, claims, size=settings.ARTICLE_SECTION_MARKS)
        section = rendering.section_to_show(sections, claims, number=None, mark=str(panel.claim.pk))
        context |= {"sections": sections if len(sections) > 1 else [], "section": section,
                    "text": rendering.article_text(article, [claim for claim in claims if not claim.is_dismissed],
                                                   start=section.start, end=section.end)}
    else:
        context["paragraphs"] = rendering.paragraphs_around(article, panel.claim)
    return render(request, "annotations/_claim_response.html", context, status=status)


def _article_page(request: HttpRequest, article: Article, *, panel: MarkPanel | None = None,
                  claim_form: ClaimForm | None = None, assign_form: AssignForm | None = None,
                  in_queue: bool = False, opening: Claim | None = None, layout: str = WHOLE_PAGE,
                  section_only: bool = False, status: int = 200) -> HttpResponse:
    """The article page; `panel` replaces its mark's fresh panel after a refused change.

    Opened from the queue (`?queue=`, or `in_queue`), every panel carries `next=queue` so a label
    moves on. `layout`: the template the page extends, the whole page or only its title and main part.
    A long article shows one section of its text and marks (see rendering.sections): the one asked for
    (`?section=N`), else the one holding the mark the page opens on (`panel`, `opening`, `?queue=` or
    `?mark=`). `section_only`: just that section's fragment, as htmx loads the next one while reading.
    """
    in_queue = panel.in_queue if panel else in_queue or "queue" in request.GET
    # Evidence and opinions are fetched by rendering.mark_panels, for the panels not in its cache.
    claims = list(article.claims.in_text_order().select_related("reviewed_by"))
    sections = rendering.sections(article.body, claims, size=settings.ARTICLE_SECTION_MARKS)
    opened = panel.claim if panel else opening
    section = rendering.section_to_show(sections, claims, number=request.GET.get("section"), mark=(
        str(opened.pk) if opened else request.GET.get("queue") or request.GET.get("mark")))
    shown = [claim for claim in claims if section.holds(claim)]
    matches = matches_for(shown)
    panels = [panel if panel and panel.claim.pk == claim.pk
              else MarkPanel(claim, in_queue=in_queue, match=matches.get(claim.pk)) for claim in shown]
    context = {
        "article": article, "panels": rendering.mark_panels(request, panels), "panel_count": len(claims),
        "claim_form": claim_form or ClaimForm(), "verdict_help": Claim.VERDICT_HELP,
        "text": rendering.article_text(article, [claim for claim in shown if not claim.is_dismissed],
                                       start=section.start, end=section.end),
        "sections": sections if len(sections) > 1 else [], "section": section,
        "next_section": sections[section.number] if section.number < len(sections) else None,
        "in_queue": in_queue, "layout": layout,
        # Lazy: only an editor's page shows (and so queries) the assignments.
        "assignments": article.assignments.select_related("reviewer"), "assign_form": assign_form or AssignForm(),
    }
    template = "_article_section_response" if section_only and len(sections) > 1 else "article_detail"
    return render(request, f"annotations/{template}.html", context, status=status)


def _timeline(events: Iterable[AuditEvent]) -> list[tuple[AuditEvent, list[tuple]]]:
    """Each event with its (field, before, after) changes; `is_dismissed` reads as "dismissed".

    The review state is recorded always but shown only with second opinions on: otherwise every
    label is final at once and the line would say nothing.
    """
    hidden = set() if Claim.is_second_opinion_required() else {"review_state"}
    return [(event, [(field.removeprefix("is_").replace("_", " "), *values)
                     for field, *values in event.changes() if field not in hidden])
            for event in events]


def _claim_url(claim: Claim, *, queue: bool = False) -> str:
    """The mark on its article page. From the queue, the query names the mark, so that moving on to
    another mark of the same article is a new page load and not just a jump to another anchor."""
    query = f"?queue={claim.pk}" if queue else ""
    return reverse("annotations:article_detail", args=[claim.article_id]) + f"{query}#claim-{claim.pk}"


@functools.cache
def _installed_version(package: str) -> str | None:
    """Reading package metadata costs milliseconds, and health checks come every few seconds."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: is the database answering and the configured spaCy pipeline
    installed (200 or 503). Only signed-in users see which pipeline, its version and what failed:
    to anyone else, that is a map of what to attack."""
    model_name = settings.SPACY_MODEL
    model_version = _installed_version(model_name)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except DatabaseError as error:
        database = f"error: {type(error).__name__}"
    healthy = database == "ok" and model_version is not None
    report: dict[str, str | None] = {"status": "ok" if healthy else "failing"}
    if request.user.is_authenticated:
        report |= {"database": database, "spacy_model": model_name, "spacy_model_version": model_version}
    return JsonResponse(report, status=200 if healthy else 503)
