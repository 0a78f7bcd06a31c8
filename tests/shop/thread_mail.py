import threading

from django.core.mail.backends.locmem import EmailBackend


class Backend(EmailBackend):
    """The test outbox, each message noting which thread sent it (a request's, or the
    worker's)."""

    def send_messages(self, messages):
        for message in messages:
            message.sent_by_thread = threading.get_ident()
        return super().send_messages(messages)
