"""Shared fixtures: users in each role, articles built with the ORM, and the spaCy pipeline loaded once."""
import importlib
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import caches

from annotations.models import Article, Claim

SAMPLES = Path(__file__).resolve().parent.parent / "annotations" / "sample_articles"

BODY = (
    "The city council approved a budget of 4.2 million pounds on Monday. "
    "\"This is a good day for the town,\" said Mayor Ann Lee. "
    "Critics called the plan reckless."
)

# A news page as a scraper saves it twice over: the headline once, then the whole body two times.
SCRAPED_BODY = (
    "Work to rebuild the harbour wall will start in March and cost 3 million pounds, the port authority said.\n"
    "\u201cThe sea will not wait for us,\u201d said Ruth Okafor, the harbour master.\n"
    "Fishing crews have complained about the crumbling wall for years."
)
PAGE_SCRAPED_TWICE = f"Harbour wall to be rebuilt\n{SCRAPED_BODY}\n{SCRAPED_BODY}\n"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs a tenth of a second per user; tests create hundreds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_fragment_cache():
    """Rolled-back tests hand out the same primary keys again: no test may see another's cached panels."""
    caches["fragments"].clear()


@pytest.fixture(scope="session")
def nlp():
    """The real pipeline, loaded once for the whole run."""
    from annotations.premark import get_nlp

    return get_nlp()


# What each role may do, as the migrations set it up (test_roles checks that they agree).
ROLE_PERMISSIONS = {
    "Reviewer": {"label_claim"},
    "Editor": {"label_claim", "import_articles", "export_claims", "restore_label", "manage_reviews"},
}


def role_group(role: str) -> Group:
    """The role's group (made again after a transactional test's flush has emptied the table)."""
    group, created = Group.objects.get_or_create(name=role)
    if created:
        group.permissions.set(Permission.objects.filter(content_type__app_label="annotations",
                                                        codename__in=ROLE_PERMISSIONS[role]))
    return group


def make_user(username: str, role: str | None) -> User:
    user = User.objects.create_user(username=username, password="pass-for-tests-1")
    if role:
        user.groups.add(role_group(role))
    return user


@pytest.fixture
def reviewer(db) -> User:
    return make_user("rita", "Reviewer")


@pytest.fixture
def editor(db) -> User:
    return make_user("eddie", "Editor")


@pytest.fixture
def viewer(db) -> User:
    return make_user("vic", None)


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def article(db, editor) -> Article:
    article, _ = Article.objects.import_article(title="Council approves budget", body=BODY, by=editor,
                                                source_name="council.txt")
    return article


@pytest.fixture
def make_claim(article):
    """Build a mark on the fixture article; by default a machine claim over the first sentence."""

    def build(**overrides) -> Claim:
        fields = {"article": article, "kind": Claim.Kind.CLAIM, "origin": Claim.Origin.MACHINE,
                  "start": 0, "end": 68, "score": 0.8, "reasons": ["figure"]}
        fields.update(overrides)
        fields.setdefault("text", fields["article"].body[fields["start"]:fields["end"]])
        return Claim.objects.create(**fields)

    return build


@pytest.fixture
def claim(make_claim) -> Claim:
    return make_claim()


def audit_triggers(connection, *, install: bool) -> None:
    """Add or drop the append-only triggers, with the SQL of the migration that created them."""
    migration = importlib.import_module("annotations.migrations.0003_audit_append_only")
    with connection.cursor() as cursor:
        for sql in migration.statements(connection.vendor, install=install):
            cursor.execute(sql)


@pytest.fixture(autouse=True, scope="session")
def flush_around_audit_triggers():
    """Transactional tests (live server) end with a flush, which the append-only triggers refuse.

    Lift the triggers for the flush alone and put them back at once, so every test runs with them.
    """
    from django.db import connections
    from django.test import TransactionTestCase

    original = TransactionTestCase._fixture_teardown

    def teardown_with_triggers_lifted(self):
        for alias in self._databases_names(include_mirrors=False):
            audit_triggers(connections[alias], install=False)
        try:
            original(self)
        finally:
            for alias in self._databases_names(include_mirrors=False):
                audit_triggers(connections[alias], install=True)

    TransactionTestCase._fixture_teardown = teardown_with_triggers_lifted
    yield
    TransactionTestCase._fixture_teardown = original


@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory):
    """SQLite tests use a file, not memory, so a worker process started by a test sees the same data."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture
def immediate_tasks(settings):
    """Run tasks inside the request that enqueues them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
