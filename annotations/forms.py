"""Forms validate and clean input; they never write history or call spaCy."""
from django import forms
from django.contrib.auth import get_user_model

from annotations.models import Article, Claim


class ExportFilterForm(forms.Form):
    """Filters for the claim export, shared by the export page and `export_claims`."""

    article = forms.ModelChoiceField(Article.objects.all(), required=False)
    verdict = forms.ChoiceField(
        choices=[("", "Any verdict")] + [c for c in Claim.Verdict.choices if c[0] != Claim.Verdict.UNREVIEWED],
        required=False,
    )
    kind = forms.ChoiceField(choices=[("", "Any kind")] + Claim.Kind.choices, required=False)
    reviewer = forms.ModelChoiceField(
        get_user_model().objects.all(), required=False, to_field_name="username", label="Labelled by"
    )
    date_from = forms.DateField(required=False, label="Labelled from", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="Labelled to", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            raise forms.ValidationError("“Labelled from” is after “Labelled to”.")
        return cleaned
