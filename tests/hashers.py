"""The password hasher the suite signs in with."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Production's PBKDF2 with a thousandth of its rounds. A password's hash is slow on
    purpose (a third of a second of CPU here), and the suite makes thousands of accounts
    and sign-ins; what the rounds protect against is not what it tests. The hash is still
    `pbkdf2_sha256` with its rounds written in it, so a server of the stack started by a
    test with production's settings checks it (and strengthens it at the first sign-in)."""

    iterations = 1_000
