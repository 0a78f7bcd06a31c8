import time

from django.core.mail.backends.base import BaseEmailBackend


class Backend(BaseEmailBackend):
    """A mail server that accepts the connection and never answers: the sender hangs
    mid-send until it is killed."""

    def send_messages(self, messages):
        time.sleep(3600)
