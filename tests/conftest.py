"""Hypothesis profiles: `ci` (the default) keeps the suite fast; `--hypothesis-profile=thorough` digs deep."""

from __future__ import annotations

import os
from typing import Iterator

import pytest
from hypothesis import HealthCheck, settings

# The suite reads apprule's words in English unless a test chooses a language (i18n.using, --lang, or a
# scheme's `language`): a developer's zh_CN locale must not change what the tests compare.
os.environ["LANGUAGE"] = "en"

settings.register_profile("ci", max_examples=10, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("thorough", max_examples=1000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def english() -> Iterator[None]:
    """Messages in English within the test, whatever the scheme's language (the shipped schemes say zh)."""
    from apprule import i18n
    with i18n.using("en"):
        yield
