"""The suite's guard against one test's logging set-up deciding another test's outcome."""

import logging

import pytest

from bot.app.logs import install_redaction
from tests.helpers import isolated_logging

SECRET = "987654:isolation-secret"


def test_redaction_installed_inside_is_gone_outside(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("tests.isolation")
    caplog.set_level(logging.INFO)
    with isolated_logging():
        install_redaction([SECRET])
        log.info("GET /bot%s/getMe", SECRET)
        assert SECRET not in caplog.text and "/bot***/getMe" in caplog.text
    caplog.clear()
    log.info("GET /bot%s/getMe", SECRET)
    assert SECRET in caplog.text  # redaction did not outlive the block


def test_root_handlers_filters_and_levels_are_restored() -> None:
    root = logging.getLogger()
    before = (list(root.handlers), list(root.filters), root.level, logging.getLogger("httpx").level)
    with isolated_logging():
        root.addHandler(logging.NullHandler())
        root.addFilter(logging.Filter("only-this"))
        root.setLevel(logging.CRITICAL)
        logging.getLogger("httpx").setLevel(logging.ERROR)  # what `nhacviec run` does
    assert (list(root.handlers), list(root.filters), root.level, logging.getLogger("httpx").level) == before
