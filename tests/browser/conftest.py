"""Browser tests drive Debian's Chromium against the real service (tests/support/browser.py)."""

pytest_plugins = ["tests.support.browser"]
