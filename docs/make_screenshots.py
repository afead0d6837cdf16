"""Take the README's screenshots with the real browser, over the sample articles, so they stay current.

Usage: python docs/make_screenshots.py
Builds a throw-away SQLite database, loads the samples with `setup_demo`, labels a few marks,
serves the app on a free local port and saves PNGs of the article page, the queue and the
dashboard into docs/. Needs Chromium at /usr/bin/chromium (`make test` installs it).
"""
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PASSWORD = "screenshots-only-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(environment: dict) -> None:
    """Migrate, load the samples, and give a few marks a label so the pages show some progress."""
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--verbosity", "0"], env=environment, check=True)
    subprocess.run([*manage, "setup_demo", "--password", PASSWORD], env=environment, check=True, stdout=subprocess.DEVNULL)
    label_some = (
        "from django.contrib.auth.models import User; from annotations.models import Claim\n"
        "demo = User.objects.get(username='demo')\n"
        "for claim, verdict in zip(Claim.objects.filter(kind='claim').order_by('article_id', 'start')[:4],"
        " ['verified', 'disputed', 'unclear', 'verified']):\n"
        "    claim.set_verdict(verdict, by=demo)\n"
    )
    subprocess.run([*manage, "shell", "-c", label_some], env=environment, check=True)


def main() -> None:
    from playwright.sync_api import sync_playwright

    folder = tempfile.mkdtemp()
    port = free_port()
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/screens.sqlite3", "DJANGO_DEBUG": "1"}
    prepare(environment)
    server = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "runserver", "--noreload", f"127.0.0.1:{port}"],
                              env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800}, base_url=base)
            page.goto("/accounts/login/")
            page.get_by_label("Username").fill("demo")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_load_state()
            page.goto("/articles/1/")
            page.keyboard.press("j")
            page.keyboard.press("j")
            page.screenshot(path=ROOT / "docs" / "article-page.png")
            page.goto("/")
            page.keyboard.press("r")  # "Review next": the queue's top mark
            page.wait_for_url("**/articles/**")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=ROOT / "docs" / "queue.png")
            page.goto("/dashboard/")
            page.screenshot(path=ROOT / "docs" / "dashboard.png", full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print("wrote docs/article-page.png, docs/queue.png, docs/dashboard.png")


if __name__ == "__main__":
    main()
