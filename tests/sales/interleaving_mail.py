from django.core.mail.backends.locmem import EmailBackend


def during_send():
    """Set by a test: what happens elsewhere while this message is on its way."""


class Backend(EmailBackend):
    """The test outbox, with something happening elsewhere while a message is being sent."""

    def send_messages(self, messages):
        during_send()
        return super().send_messages(messages)
