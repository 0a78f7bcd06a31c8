"""The settings the suite runs with: production's, with what a test run needs that
production must not have."""

import os

# Production refuses to start without a secret key; the suite is no production.
os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-a-secret")
# The test client and the browser tests speak plain HTTP to a local server.
os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
# Where the card is not what a test is about, it pays with the built-in test card, as the
# load tests do (the card payments' own tests go through localstripe).
os.environ.setdefault("PAYMENT_TEST_CARD", "1")
# Static files from the source folders: the suite does not run collectstatic.
os.environ.setdefault("WHITENOISE_USE_FINDERS", "1")

from boxoffice.settings import *  # noqa: E402, F403

# A loaded test machine makes requests slow: the shop must not turn light in the middle
# of a test about something else. Its own tests turn the automatic mode on.
SHOP_MODE_AUTOMATIC = False
# Tests read the display counts right after the change they make; counting again at most
# once a second, as production does, has its own tests (tests/sales/test_display_counts.py).
AVAILABILITY_REFRESH_SECONDS = 0.0
# A password's hash costs a third of a second of CPU by design, and the suite makes
# thousands of accounts and sign-ins: the same algorithm, with fewer rounds.
PASSWORD_HASHERS = ["tests.hashers.QuickPBKDF2PasswordHasher"]
# WhiteNoise reads the whole tree of static files each time Django builds its middleware,
# which the test client does for every client a test makes: 18 ms on a quiet machine,
# some thousands of times a run. Looked up when asked for instead, as in development.
WHITENOISE_AUTOREFRESH = True
# Emptied between transactional tests by DELETE, not TRUNCATE (tests/db/base.py).
for _alias in DATABASES.values():  # noqa: F405
    if _alias["ENGINE"] == "boxoffice.db":
        _alias["ENGINE"] = "tests.db"
