"""What every bench script starts with: the repository on sys.path, Django set up, and throw-away databases.

Scripts run as `python bench/NAME.py`, so this folder is on sys.path and they `import bootstrap` first.
"""
import argparse
import os
import sys
import tempfile
import urllib.parse
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import django
import psycopg
from django.apps import apps
from django.db import connections

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")


def setup_django(database_url: str | None = None) -> None:
    """Set Django up with DEBUG off (figures are for production settings), on `database_url` when given."""
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.pop("DJANGO_DEBUG", None)
    # WhiteNoise warns that STATIC_ROOT was never collected; benches serve no static files.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()


def admin_url(database_url: str) -> tuple[str, str]:
    """The server's template1 (never the `postgres` database) and the bench database's name."""
    parts = urllib.parse.urlsplit(database_url)
    name = parts.path.lstrip("/")
    if "bench" not in name or name in {"postgres", "test_postgres"}:
        sys.exit(f"refusing to drop and recreate {name!r}: give a throw-away database whose name contains 'bench'")
    return urllib.parse.urlunsplit(parts._replace(path="/template1")), name


def database_exists(database_url: str) -> bool:
    url, name = admin_url(database_url)
    with psycopg.connect(url, autocommit=True) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def recreate_database(database_url: str, *, drop_only: bool = False) -> None:
    """Drop the PostgreSQL database and, unless `drop_only`, make it again empty."""
    url, name = admin_url(database_url)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            # template0, so a session left open on template1 cannot block the copy.
            connection.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")


def is_postgres(database_url: str | None) -> bool:
    return database_url is not None and urllib.parse.urlsplit(database_url).scheme.startswith("postgres")


@contextmanager
def throwaway_database(database_url: str | None = None, *, keep: bool = False) -> Iterator[str]:
    """An empty database for one run; yields its URL.

    Without a URL: SQLite in a temporary folder, removed afterwards. A PostgreSQL URL (whose name must
    contain "bench") is dropped and made again, and dropped afterwards unless `keep`. Any other URL is
    used as it is and must name an empty database.
    """
    if not database_url:
        with tempfile.TemporaryDirectory(prefix="factcheck-bench-") as folder:
            yield f"sqlite:///{folder}/bench.sqlite3"
        return
    if not is_postgres(database_url):
        yield database_url
        return
    recreate_database(database_url)
    try:
        yield database_url
    finally:
        if not keep:
            if apps.ready:  # this process used it: close its connections before the drop
                connections.close_all()
            recreate_database(database_url, drop_only=True)


def add_database_option(parser: argparse.ArgumentParser) -> None:
    """--database-url: where a script that defaults to a temp SQLite file may run on PostgreSQL instead."""
    parser.add_argument("--database-url", help="a PostgreSQL database to make afresh (its name must contain "
                                               "'bench'); default: temp SQLite")
