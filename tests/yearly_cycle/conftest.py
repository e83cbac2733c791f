"""The whole simulated fiscal year: its output folder and inline rendering
(the March tests' own fixture)."""

from tests.march.conftest import own_output  # noqa: F401  (an autouse fixture)
