"""Translation: the pages switch language through Django's machinery, and no template text escapes it."""
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates"
FRENCH = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES"

# Words that stay as they are in every language: the product's name and the time zone.
UNTRANSLATED_WORDS = {"factcheck", "UTC"}
TEXT_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")


def verdict_buttons(page: str) -> dict[str, str]:
    return dict(re.findall(r'<button type="submit"[^>]*class="verdict-button verdict-(\w+)"[^>]*>([^<]*)</button>', page))


def test_the_article_page_speaks_french_to_a_browser_that_asks_for_it(reviewer_client, article, claim, settings):
    settings.LANGUAGES = [("en", "English"), ("fr", "Français")]

    page = reviewer_client.get(reverse("annotations:article_detail", args=[article.pk]),
                               HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert verdict_buttons(page) == {"verified": "Vérifié", "disputed": "Contesté", "unclear": "Incertain"}
    assert 'title="Ni une affirmation ni une citation à vérifier">Écarter</button>' in page
    assert 'title="Les preuves confirment l’affirmation telle qu’elle est formulée."' in page
    assert '<html lang="fr">' in page
    assert ">Aide</a>" in page and ">Se déconnecter</button>" in page


def test_a_language_not_offered_is_never_served_even_with_a_catalogue(reviewer_client, article, claim):
    page = reviewer_client.get(reverse("annotations:article_detail", args=[article.pk]),
                               HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert verdict_buttons(page) == {"verified": "Verified", "disputed": "Disputed", "unclear": "Unclear"}
    assert '<html lang="en">' in page


def test_the_compiled_french_catalogue_matches_its_source():
    """A .po edited without running compilemessages would not show up in the pages."""
    source = (FRENCH / "django.po").read_text(encoding="utf-8")
    translated = re.findall(r'^msgid "(.+)"\nmsgstr "(.+)"$', source, re.MULTILINE)
    with open(FRENCH / "django.mo", "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)

    assert translated
    assert {msgid: catalogue.gettext(msgid) for msgid, _ in translated} == dict(translated)


def untranslated_text(source: str) -> list[str]:
    """Words a template shows that bypass {% translate %} and {% blocktranslate %}.

    Strips comments, translation blocks, class-name blocks, template tags and variables, then
    reads the attributes that people see or hear, then the text between HTML tags.
    """
    tags = " ".join(re.findall(r"{%.*?%}|{{.*?}}", source, flags=re.DOTALL))
    # Quoted text the tags show: |default:"someone", or include ... with message="Some words".
    literals = re.findall(r'default:"([^"]*)"|\w="([^"]*\s[^"]*)"', tags)
    source = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", " ", source, flags=re.DOTALL)
    source = re.sub(r"{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}", " ", source, flags=re.DOTALL)
    source = re.sub(r"{%\s*block \w+_class\s*%}.*?{%\s*endblock\s*%}", "", source, flags=re.DOTALL)
    source = re.sub(r"{%.*?%}|{{.*?}}", " ", source, flags=re.DOTALL)
    attributes = re.findall(rf'\b(?:{"|".join(TEXT_ATTRIBUTES)})="([^"]*)"', source)
    text = re.sub(r"<[^>]*>|&\w+;", " ", source)
    words = re.findall(r"[^\W\d_]{2,}", " ".join([*(" ".join(pair) for pair in literals), *attributes, text]))
    return [word for word in words if word not in UNTRANSLATED_WORDS]


def test_the_scanner_finds_text_attributes_and_literals_left_untranslated():
    source = ('{% load i18n %}<p class="lead" title="Plain title">{% translate "Marked" %} Hello</p>'
              '{% blocktranslate %}Also {{ marked }}{% endblocktranslate %}{{ x|default:"nobody" }}'
              '{% include "x.html" with note="Some words" id="kept-id" %}'
              '<span aria-label="{% translate \'Marked\' %}">· {{ value }} UTC</span>')

    assert sorted(untranslated_text(source)) == ["Hello", "Plain", "Some", "nobody", "title", "words"]


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")),
                         ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_every_template_marks_its_text_for_translation(template):
    assert untranslated_text(template.read_text(encoding="utf-8")) == []
