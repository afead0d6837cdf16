"""The suite's fixtures, lent to the acceptance checks (which live outside tests/ so a bare clone's suite passes)."""
from tests.conftest import (  # noqa: F401  (fixtures are found by name)
    editor,
    editor_client,
    empty_fragment_cache,
    fast_password_hashing,
    immediate_tasks,
    nlp,
)
from tests.test_views import post_import  # noqa: F401
