"""Forms validate and clean input; they never write history or call spaCy."""
from dataclasses import dataclass
from functools import cached_property

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.validators import URLValidator
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from annotations.importing import (
    SUPPORTED_SUFFIXES, ImportProblem, ReadFailure, draft_from_text, size_problem,
)
from annotations.models import Article, AuditEvent, Claim, Speaker


class ExportFilterForm(forms.Form):
    """Filters for the claim export, shared by the export page and `export_claims`."""

    article = forms.ModelChoiceField(Article.objects.all(), required=False, label=_("Article"))
    verdict = forms.ChoiceField(
        choices=[("", _("Any verdict"))] + [c for c in Claim.Verdict.choices if c[0] != Claim.Verdict.UNREVIEWED],
        required=False, label=_("Verdict"),
    )
    kind = forms.ChoiceField(choices=[("", _("Any kind"))] + Claim.Kind.choices, required=False, label=_("Kind"))
    reviewer = forms.ModelChoiceField(
        get_user_model().objects.all(), required=False, to_field_name="username", label=_("Labelled by")
    )
    date_from = forms.DateField(required=False, label=_("Labelled from"),
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label=_("Labelled to"), widget=forms.DateInput(attrs={"type": "date"}))
    export_format = forms.ChoiceField(
        label=_("Format"), initial="csv", required=False,
        choices=[("csv", _("CSV (spreadsheets)")),
                 ("jsonl", _("JSON Lines (one claim per line, with evidence and history)")),
                 ("claimreview", _("ClaimReview JSON-LD (schema.org, for search engines and aggregators)"))],
    )

    def clean(self):
        cleaned = super().clean()
        cleaned["export_format"] = cleaned.get("export_format") or "csv"
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            raise forms.ValidationError(gettext("“Labelled from” is after “Labelled to”."))
        return cleaned


class ArticleFilterForm(forms.Form):
    """Search and filters of the article list; every field is optional."""

    q = forms.CharField(required=False, max_length=200, label=_("Search titles and text"))
    progress = forms.ChoiceField(required=False, label=_("Progress"), choices=[
        ("", _("Any progress")), ("unlabelled", _("Has unlabelled marks")), ("done", _("Every mark labelled"))])
    verdict = forms.ChoiceField(required=False, label=_("Has a mark labelled"), choices=[("", _("Any verdict"))] + [
        choice for choice in Claim.Verdict.choices if choice[0] != Claim.Verdict.UNREVIEWED])
    imported_from = forms.DateField(required=False, label=_("Imported from"),
                                    widget=forms.DateInput(attrs={"type": "date"}))
    imported_to = forms.DateField(required=False, label=_("Imported to"),
                                  widget=forms.DateInput(attrs={"type": "date"}))


class QueueFilterForm(forms.Form):
    """What a reviewer narrows "Review next" to; kept in the session until they choose again."""

    article = forms.ModelChoiceField(Article.objects.only("pk", "title"), required=False, label=_("Article"),
                                     empty_label=_("Any article"))
    speaker = forms.CharField(required=False, max_length=300, label=_("Speaker"),
                              help_text=_("Quotes by this name, ignoring case."))
    kind = forms.ChoiceField(required=False, label=_("Kind"),
                             choices=[("", _("Claims and quotes"))] + Claim.Kind.choices)
    imported_from = forms.DateField(required=False, label=_("Imported from"),
                                    widget=forms.DateInput(attrs={"type": "date"}))
    imported_to = forms.DateField(required=False, label=_("Imported to"),
                                  widget=forms.DateInput(attrs={"type": "date"}))

    @classmethod
    def is_chosen(cls, query) -> bool:
        """The request carries the filter form (even all blank, which clears the filters)."""
        return any(name in query for name in cls.base_fields)

    @property
    def is_narrowed(self) -> bool:
        return any(self.data.get(name) for name in self.fields)

    def filters(self) -> dict:
        """The valid filters as `Claim.objects.queue_for` takes them; none if the stored ones no longer fit."""
        return self.cleaned_data if self.is_valid() else {}

    def to_keep(self) -> dict[str, str]:
        """The filters as typed, for the session."""
        return {name: self.data.get(name, "") for name in self.fields}


def people_who_label():
    """Active users who may label marks: the reviewers an article can be assigned to."""
    can_label = Permission.objects.filter(codename="label_claim", content_type__app_label="annotations")
    return get_user_model().objects.filter(
        Q(groups__permissions__in=can_label) | Q(user_permissions__in=can_label) | Q(is_superuser=True),
        is_active=True,
    ).distinct().order_by("username")


class AssignForm(forms.Form):
    reviewer = forms.ModelChoiceField(people_who_label(), to_field_name="username", label=_("Assign to"))


class UnassignForm(forms.Form):
    reviewer = forms.ModelChoiceField(get_user_model().objects.all(), to_field_name="username")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several uploads in one field (Django's documented recipe); empty files pass so the import can name them."""

    def __init__(self, **kwargs):
        super().__init__(widget=MultipleFileInput(attrs={"accept": ",".join(sorted(SUPPORTED_SUFFIXES))}),
                         allow_empty_file=True, **kwargs)

    def clean(self, data, initial=None) -> list:
        clean_one = super().clean
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [clean_one(upload, initial) for upload in files]


class ImportForm(forms.Form):
    """Files and/or one pasted article, handed to a background import (see tasks.queue_import)."""

    files = MultipleFileField(required=False, label=_("Files"),
                              help_text=_("Text, Markdown, HTML, CSV or JSON Lines; several at once."))
    title = forms.CharField(required=False, max_length=500, label=_("Headline"))
    body = forms.CharField(required=False, label=_("Article text"), widget=forms.Textarea(attrs={"rows": 8}))

    def clean(self):
        cleaned = super().clean()
        cleaned["draft"] = None
        if cleaned.get("title") or cleaned.get("body"):
            try:
                cleaned["draft"] = draft_from_text(cleaned.get("title", ""), cleaned.get("body", ""), "pasted")
            except ImportProblem as problem:
                raise forms.ValidationError(
                    gettext("The pasted article cannot be imported: %(problem)s.") % {"problem": problem}) from None
        if not cleaned.get("files") and cleaned["draft"] is None and not self.errors:
            raise forms.ValidationError(gettext("Choose at least one file, or paste a headline and article text."))
        if len(cleaned.get("files") or []) > settings.IMPORT_MAX_FILES:
            raise forms.ValidationError(
                gettext("%(count)s files is more than %(limit)s at once; import them in parts.")
                % {"count": len(cleaned["files"]), "limit": settings.IMPORT_MAX_FILES})
        return cleaned

    def sources(self) -> tuple[list[tuple[str, bytes]], list[ReadFailure]]:
        """(name, bytes) of each file to import, and the files refused for size without reading them."""
        sources, refused = [], []
        for upload in self.cleaned_data["files"]:
            if problem := size_problem(upload.size):
                refused.append(ReadFailure(upload.name, problem))
            else:
                sources.append((upload.name, upload.read()))
        if draft := self.cleaned_data["draft"]:
            sources.append(("pasted.txt", f"{draft.title}\n{draft.body}".encode()))
        return sources, refused


class ClaimForm(forms.Form):
    """A span of the article body a person marks; JavaScript fills the offsets from a text selection."""

    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=1)
    kind = forms.ChoiceField(choices=Claim.Kind.choices, initial=Claim.Kind.CLAIM, widget=forms.RadioSelect)
    speaker = forms.CharField(required=False, max_length=300)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") is not None and cleaned.get("end") is not None and cleaned["end"] <= cleaned["start"]:
            raise forms.ValidationError(gettext("The end must come after the start."))
        return cleaned


class ClaimChangeForm(forms.Form):
    """A change to one mark, based on the version the user saw (no version: no check)."""

    expected_version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, claim: Claim, **kwargs):
        # Every mark on the page has these forms: ids must differ from mark to mark.
        kwargs.setdefault("auto_id", f"claim-{claim.pk}-%s")
        super().__init__(*args, **kwargs)


VERDICT_CHOICES = [choice for choice in Claim.Verdict.choices if choice[0] != Claim.Verdict.UNREVIEWED]


class MatchForm(ClaimChangeForm):
    """Take the verdict and evidence of the same claim checked in another article."""

    source = forms.ModelChoiceField(Claim.objects.labelled().select_related("article"), widget=forms.HiddenInput)


class VerdictForm(ClaimChangeForm):
    verdict = forms.ChoiceField(choices=VERDICT_CHOICES)


class NoteForm(ClaimChangeForm):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SpeakerForm(ClaimChangeForm):
    speaker = forms.CharField(required=False, max_length=300)


class AdjudicationForm(ClaimChangeForm):
    """An editor's verdict on a claim reviewers disagree on, and why."""

    verdict = forms.ChoiceField(choices=VERDICT_CHOICES, widget=forms.RadioSelect, label=_("Verdict"))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Why"),
                           help_text=_("Required: it goes into the claim's history."))

    def __init__(self, *args, claim: Claim, **kwargs):
        super().__init__(*args, claim=claim, **kwargs)
        self.claim_pk = claim.pk


class SpeakerMergeForm(forms.Form):
    """Another speaker to fold into this one."""

    other = forms.ModelChoiceField(Speaker.objects.none(), label=_("Speaker to merge into this one"))

    def __init__(self, *args, speaker: Speaker, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = Speaker.objects.exclude(pk=speaker.pk)


class WebLinkField(forms.URLField):
    """A URL a reader can open: http or https only (URLField also accepts ftp://)."""

    default_validators = [URLValidator(schemes=["http", "https"])]
    default_error_messages = {"invalid": _("Enter a link that starts with http:// or https://.")}


class EvidenceForm(ClaimChangeForm):
    url = WebLinkField(max_length=2000, assume_scheme="https", label=_("Link"),
                       widget=forms.URLInput(attrs={"placeholder": "https://"}))
    description = forms.CharField(required=False, max_length=500)


class EvidenceRemoveForm(ClaimChangeForm):
    evidence = forms.IntegerField(widget=forms.HiddenInput)


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
    def verdicts(self) -> list[tuple[str, str, str]]:
        """(value, label, meaning) of each verdict a person can give."""
        return [(value, label, Claim.VERDICT_HELP[value]) for value, label in VERDICT_CHOICES]
