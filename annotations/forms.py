"""Forms validate and clean input; they never write history or call spaCy."""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.validators import RegexValidator, URLValidator
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from annotations.importing import (
    SUPPORTED_SUFFIXES,
    ArticleDraft,
    ImportProblem,
    ReadFailure,
    draft_from_text,
    size_problem,
)
from annotations.match_search import matches_for
from annotations.models import Article, Claim, Speaker

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The verdicts a person gives: every one but "unreviewed".
VERDICT_CHOICES = [choice for choice in Claim.Verdict.choices if choice[0] != Claim.Verdict.UNREVIEWED]
# The name a pasted article is stored and reported under, as when it was imported as a text file.
PASTED_SOURCE_NAME = "pasted.txt"


def date_range_fields(first_label: StrOrPromise, last_label: StrOrPromise) -> tuple[forms.DateField, forms.DateField]:
    """An optional first and last day, for a form's pair of date filters (see DatedQuerySet.dated_between)."""
    def day(label: StrOrPromise) -> forms.DateField:
        return forms.DateField(required=False, label=label, widget=forms.DateInput(attrs={"type": "date"}))

    return day(first_label), day(last_label)


class ExportFilterForm(forms.Form):
    """Filters for the claim export, shared by the export page and `export_claims`."""

    article = forms.ModelChoiceField(Article.objects.all(), required=False, label=_("Article"))
    verdict = forms.ChoiceField(choices=[("", _("Any verdict")), *VERDICT_CHOICES], required=False, label=_("Verdict"))
    kind = forms.ChoiceField(choices=[("", _("Any kind")), *Claim.Kind.choices], required=False, label=_("Kind"))
    reviewer = forms.ModelChoiceField(
        get_user_model().objects.all(), required=False, to_field_name="username", label=_("Labelled by")
    )
    date_from, date_to = date_range_fields(_("Labelled from"), _("Labelled to"))
    export_format = forms.ChoiceField(
        label=_("Format"), initial="csv", required=False,
        choices=[("csv", _("CSV (spreadsheets)")),
                 ("jsonl", _("JSON Lines (one claim per line, with evidence and history)")),
                 ("claimreview", _("ClaimReview JSON-LD (schema.org, for search engines and aggregators)"))],
    )

    def clean(self):
        cleaned = super().clean()
        cleaned["export_format"] = cleaned.get("export_format") or "csv"
        # Only the export refuses a reversed range: it would be a silent empty file, where a list shows "none".
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            raise forms.ValidationError(gettext("“Labelled from” is after “Labelled to”."))
        return cleaned


class AuditExportForm(forms.Form):
    """Which audit log to download: one article's (`?article=ID`, ASCII digits as in its URL) or, blank, all."""

    # Not an IntegerField: int() also takes "１" and other digits, which then reach the file name.
    article = forms.CharField(required=False, validators=[RegexValidator(r"\A[0-9]+\Z")])

    def clean_article(self) -> int | None:
        return int(self.cleaned_data["article"]) if self.cleaned_data["article"] else None


class ArticleFilterForm(forms.Form):
    """Search and filters of the article list; every field is optional."""

    q = forms.CharField(required=False, max_length=200, label=_("Search titles and text"))
    progress = forms.ChoiceField(required=False, label=_("Progress"), choices=[
        ("", _("Any progress")), ("unlabelled", _("Has unlabelled marks")), ("done", _("Every mark labelled"))])
    verdict = forms.ChoiceField(required=False, label=_("Has a mark labelled"),
                                choices=[("", _("Any verdict")), *VERDICT_CHOICES])
    imported_from, imported_to = date_range_fields(_("Imported from"), _("Imported to"))


class QueueFilterForm(forms.Form):
    """What a reviewer narrows "Review next" to; kept in the session until they choose again."""

    article = forms.ModelChoiceField(Article.objects.only("pk", "title"), required=False, label=_("Article"),
                                     empty_label=_("Any article"))
    speaker = forms.CharField(required=False, max_length=300, label=_("Speaker"),
                              help_text=_("Quotes by this name, ignoring case."))
    kind = forms.ChoiceField(required=False, label=_("Kind"),
                             choices=[("", _("Claims and quotes")), *Claim.Kind.choices])
    imported_from, imported_to = date_range_fields(_("Imported from"), _("Imported to"))

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

    # The form metaclass moves declared fields into base_fields, so at run time this does not shadow
    # BaseForm.files (the uploaded files); the checker sees only the class attribute.
    files = MultipleFileField(required=False, label=_("Files"),  # type: ignore[assignment]
                              help_text=_("Text, Markdown, HTML, CSV or JSON Lines; several at once."))
    title = forms.CharField(required=False, max_length=500, label=_("Headline"))
    body = forms.CharField(required=False, label=_("Article text"), widget=forms.Textarea(attrs={"rows": 8}))

    def clean(self):
        cleaned = super().clean()
        cleaned["draft"] = None
        if cleaned.get("title") or cleaned.get("body"):
            try:
                cleaned["draft"] = draft_from_text(cleaned.get("title", ""), cleaned.get("body", ""),
                                                   PASTED_SOURCE_NAME)
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

    def to_import(self) -> tuple[Iterator[tuple[str, bytes]], list[ArticleDraft], list[ReadFailure]]:
        """(name, bytes) of each file to read, the pasted article's draft (already read), and what is
        refused for its size without reading it.

        The files are read one at a time as they are stored: fifty large uploads never sit in memory together.
        """
        uploads, drafts, refused = [], [], []
        for upload in self.cleaned_data["files"]:
            if problem := size_problem(upload.size):
                refused.append(ReadFailure(upload.name, problem))
            else:
                uploads.append(upload)
        sources = ((upload.name, upload.read()) for upload in uploads)
        if draft := self.cleaned_data["draft"]:
            # Measured as the text file it stands for, headline line first, like an upload.
            if problem := size_problem(len(f"{draft.title}\n{draft.body}".encode())):
                refused.append(ReadFailure(draft.source_name, problem))
            else:
                drafts.append(draft)
        return sources, drafts, refused


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


class MatchForm(ClaimChangeForm):
    """Take the verdict and evidence of the same claim checked in another article: only the one the
    "already checked" search finds for this mark, so no other claim's verdict can be posted in."""

    source = forms.ModelChoiceField(Claim.objects.labelled().select_related("article"), widget=forms.HiddenInput)

    def __init__(self, *args, claim: Claim, **kwargs):
        super().__init__(*args, claim=claim, **kwargs)
        self.claim = claim

    def clean_source(self) -> Claim:
        source = self.cleaned_data["source"]
        if matches_for([self.claim]).get(self.claim.pk) != source:
            raise forms.ValidationError(gettext("That claim is not the one found to say the same as this mark."))
        return source


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
        other = self.fields["other"]
        assert isinstance(other, forms.ModelChoiceField)
        other.queryset = Speaker.objects.exclude(pk=speaker.pk)


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
