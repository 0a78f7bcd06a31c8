"""A mail drop for the local stack: each message is a file named by its Message-ID, in
EMAIL_FILE_PATH. Writing the same message again (a confirmation sent after a crash
between sending and recording it carries the same Message-ID) replaces its file, as a
mailbox that knows the message keeps one, and is noted in `resent.log`. In production,
EMAIL_BACKEND is an SMTP server's."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend


class MessageFolderBackend(BaseEmailBackend):
    def __init__(self, *, file_path: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.folder = Path(file_path or settings.EMAIL_FILE_PATH)

    def send_messages(self, messages) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        for message in messages:
            raw = message.message()
            message_id = str(raw["Message-ID"])
            name = re.sub(r"[^A-Za-z0-9.@_-]", "_", message_id.strip("<>"))[:150] or hashlib.sha256(
                raw.as_bytes()).hexdigest()
            target = self.folder / f"{name}.eml"
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".sending-")
            with os.fdopen(fd, "wb") as out:
                out.write(raw.as_bytes())
                out.flush()
                os.fsync(out.fileno())
            again = target.exists()
            os.replace(tmp, target)  # whole or not at all
            if again:
                with open(self.folder / "resent.log", "a") as log:
                    log.write(f"{message_id}\n")
        return len(messages)
