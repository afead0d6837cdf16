"""`setup_demo`: a demo editor and the sample articles, for a first look at the tool."""
import os
import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from annotations.importing import read_paths
from annotations.storing import import_items

SAMPLE_ARTICLES = Path(__file__).resolve().parents[2] / "sample_articles"


class Command(BaseCommand):
    help = (
        "Create (or reset) the demo editor, load the sample articles (already stored ones are skipped) "
        "and print the login. Run after migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")
        parser.add_argument("--password", help="default: a new random password, printed")

    def handle(self, *args, username, password, **options):
        password = password or secrets.token_urlsafe(9)
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name="Editor"))
        # Relative, so the articles' sources show no server path.
        outcomes = list(import_items(read_paths([os.path.relpath(SAMPLE_ARTICLES)]), by=user))
        for outcome in outcomes:
            self.stdout.write(f"  {outcome}")
        self.stdout.write(self.style.SUCCESS(f"Demo login: {username} / {password}"))
