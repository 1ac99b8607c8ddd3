"""Browser journeys reuse the engine-test fixtures (test operators, one unit of work per step)."""

from tests.workflows.conftest import operators, step  # noqa: F401 - fixtures
