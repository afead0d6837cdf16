"""Environment for the test run, loaded as an early pytest plugin (see pytest.ini)."""
import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
# The live server in browser tests speaks plain http.
os.environ.setdefault("SECURE_COOKIES", "0")
# Playwright's sync API runs an event loop; Django refuses ORM calls from such a thread without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
