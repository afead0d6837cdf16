"""Who may do what: every URL of the app, walked with every role and anonymously."""
import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from annotations.models import AuditEvent, ImportBatch, Speaker
from annotations.urls import urlpatterns

from .conftest import ROLE_PERMISSIONS, make_user

pytestmark = pytest.mark.django_db

VIEWER, REVIEWER, EDITOR = "viewer", "reviewer", "editor"
EVERYONE = {VIEWER, REVIEWER, EDITOR}
LABELLERS = {REVIEWER, EDITOR}

# URL name: (method, which object its argument is, who may use it). Anonymous visitors may use none.
ACCESS = {
    "article_list": ("get", None, EVERYONE),
    "help": ("get", None, EVERYONE),
    "article_detail": ("get", "article", EVERYONE),
    "article_history": ("get", "article", EVERYONE),
    "claim_history": ("get", "claim", EVERYONE),
    "claim_edit": ("get", "claim", EVERYONE),
    "article_import": ("get", None, {EDITOR}),
    "import_batch": ("get", "batch", {EDITOR}),
    "import_retry": ("post", "batch", {EDITOR}),
    "claims_export": ("get", None, {EDITOR}),
    "claims_download": ("get", None, {EDITOR}),
    "audit_download": ("get", None, {EDITOR}),
    "claim_create": ("post", "article", LABELLERS),
    "claim_verdict": ("post", "claim", LABELLERS),
    "claim_dismiss": ("post", "claim", LABELLERS),
    "claim_apply_match": ("post", "claim", LABELLERS),
    "claim_restore": ("post", "claim", LABELLERS),
    "claim_note": ("post", "claim", LABELLERS),
    "claim_speaker": ("post", "claim", LABELLERS),
    "claim_evidence_add": ("post", "claim", LABELLERS),
    "claim_evidence_remove": ("post", "claim", LABELLERS),
    "claim_restore_label": ("post", "claim", {EDITOR}),
    "review_next": ("get", None, LABELLERS),
    "my_queue": ("get", None, LABELLERS),
    "article_assign": ("post", "article", {EDITOR}),
    "article_unassign": ("post", "article", {EDITOR}),
    "disagreements": ("get", None, {EDITOR}),
    "agreement": ("get", None, {EDITOR}),
    "claim_adjudicate": ("post", "claim", {EDITOR}),
    "speaker_list": ("get", None, EVERYONE),
    "speaker_detail": ("get", "speaker", EVERYONE),
    "speaker_merge": ("post", "speaker", {EDITOR}),
    "dashboard": ("get", None, EVERYONE),
}


def test_the_access_table_names_every_url_of_the_app():
    assert {pattern.name for pattern in urlpatterns} == set(ACCESS), "add new URLs to ACCESS with who may use them"


def test_the_migrations_give_each_role_exactly_its_permissions():
    for role, codenames in ROLE_PERMISSIONS.items():
        assert set(Group.objects.get(name=role).permissions.values_list("codename", flat=True)) == codenames


@pytest.fixture
def objects(article, claim, editor):
    return {"article": article.pk, "claim": claim.pk, "batch": ImportBatch.objects.create(created_by=editor).pk,
            "speaker": Speaker.objects.create(name="Ann Lee").pk}


def request(client, name: str, objects: dict):
    method, argument, _ = ACCESS[name]
    url = reverse(f"annotations:{name}", args=[objects[argument]] if argument else [])
    return getattr(client, method)(url)


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_anonymous_visitors_are_sent_to_the_login_page_and_see_no_data(client, objects, article, name):
    events_before = AuditEvent.objects.count()
    response = request(client, name, objects)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert article.title.encode() not in response.content
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize("role", sorted(EVERYONE))
@pytest.mark.parametrize("name", sorted(ACCESS))
def test_each_role_is_allowed_or_refused_as_the_table_says(client, objects, role, name):
    client.force_login(make_user(f"{role}-user", {VIEWER: None, REVIEWER: "Reviewer", EDITOR: "Editor"}[role]))
    response = request(client, name, objects)
    allowed = role in ACCESS[name][2]
    if allowed:
        assert response.status_code in {200, 302, 400}, response.status_code
        assert not (response.status_code == 302 and response["Location"].startswith(reverse("login")))
    else:
        assert response.status_code == 403


MANAGING_REVIEWS = ["article_assign", "article_unassign", "disagreements", "agreement", "claim_adjudicate",
                    "speaker_merge"]


@pytest.mark.parametrize(("codename", "allowed", "refused"), [
    ("manage_reviews", MANAGING_REVIEWS, ["claim_restore_label"]),
    ("restore_label", ["claim_restore_label"], MANAGING_REVIEWS),
])
def test_managing_reviews_and_restoring_labels_are_separate_permissions(client, objects, codename, allowed, refused):
    user = make_user(f"only-{codename}", None)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="annotations", codename=codename))
    client.force_login(user)
    assert {name: request(client, name, objects).status_code != 403 for name in allowed + refused} == {
        **{name: True for name in allowed}, **{name: False for name in refused}}
