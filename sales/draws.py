"""Draws anyone can verify: the waiting room's opening shuffle and every ballot.

The algorithm (version 1, written out for people in docs/draws.md):

- The seed is 32 random bytes, written as 64 lowercase hex characters. Its commitment,
  published when the draw is set up, is SHA-256 of those 64 characters.
- Each entry is known by its entry reference (12 characters the entrant sees); the draw
  publishes only its hashed reference, SHA-256 of the reference, in hex.
- The entry list is the hashed references in ascending order, each followed by a line
  feed. Its hash, SHA-256 of those bytes, is published when the entries freeze.
- The draw key is HMAC-SHA256(key = the seed's 32 bytes, message = the public value in
  UTF-8, empty if none). Each entry's score is HMAC-SHA256(key = the draw key, message =
  its hashed reference's 64 characters); rank 1 is the lowest score.

No language's random generator is involved, so no upgrade of anything changes an order;
`manage.py verify_draw` and the draw page's script (static/draw.js) redo it from the
published files alone. The functions down to `verify` are pure; the rest records draws.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .errors import IllegalTransition, InvalidRequest, SalesError
from .models import REFERENCE_ALPHABET, Ballot, Draw, WaitingRoom

ALGORITHM = "boxoffice-draw-1: rank by HMAC-SHA256(HMAC-SHA256(seed, public value), hashed reference)"
HASH_LENGTH = 32
_HEX64 = re.compile(rb"[0-9a-f]{64}")
# Read by hand, 0/O and 1/I/L are the same character (Crockford's rule).
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_TO_CROCKFORD = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", REFERENCE_ALPHABET.encode("ascii"))


class DrawDataError(ValueError):
    """Published data that is not in the published format."""


# --- the algorithm ---------------------------------------------------------------------

def new_seed() -> str:
    return secrets.token_hex(32)


def seed_commitment(seed: str) -> str:
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def hashed_reference(reference: str) -> str:
    return hashlib.sha256(reference.encode("ascii")).hexdigest()


def normalize_reference(text: str) -> str | None:
    """The reference as the draw knows it (12 characters, capitals, no separators), from
    what someone typed; None if it cannot be one."""
    candidate = re.sub(r"[\s-]", "", str(text)).upper().translate(_LOOKALIKES)
    if len(candidate) != 12 or any(c not in REFERENCE_ALPHABET for c in candidate):
        return None
    return candidate


def format_reference(reference: str) -> str:
    return "-".join(reference[i:i + 4] for i in range(0, len(reference), 4))


def queue_reference(performance_id: int, visitor: str) -> str:
    """A waiting-room visitor's reference in the opening draw: derived from their secret
    visitor id (which it does not reveal), different for each performance."""
    return queue_references(performance_id, [visitor])[0]


def queue_references(performance_id: int, visitors: list[str]) -> list[str]:
    """Each visitor's reference: the first 60 bits of SHA-256("queue:<performance>:<visitor>"),
    in 12 characters. Encoded all at once: 10 bytes make 16 characters, so each visitor's
    characters are their own."""
    digests = b"".join(hashlib.sha256(f"queue:{performance_id}:{v}".encode()).digest()[:10] for v in visitors)
    text = base64.b32encode(digests).translate(_TO_CROCKFORD).decode("ascii")
    return [text[i:i + 12] for i in range(0, len(text), 16)]


def entry_list(hashed: list[str]) -> bytes:
    """The published entry list: hashed references ascending, one per line."""
    return "".join(f"{h}\n" for h in sorted(hashed)).encode("ascii")


def parse_entry_list(data: bytes) -> list[str]:
    """The hashed references of a published entry list, refusing anything but the one
    canonical form (so that one list has one hash)."""
    if not data:
        return []
    if not data.endswith(b"\n"):
        raise DrawDataError("the entry list must end with a line feed")
    lines = data[:-1].split(b"\n")
    for i, line in enumerate(lines):
        if not _HEX64.fullmatch(line):
            raise DrawDataError(f"line {i + 1} is not a hashed reference (64 lowercase hex characters)")
        if i and line <= lines[i - 1]:
            raise DrawDataError(f"line {i + 1} is out of order or repeated")
    return [line.decode("ascii") for line in lines]


def entries_hash(listing: bytes) -> str:
    return hashlib.sha256(listing).hexdigest()


def draw_key(seed: str, public_value: str = "") -> bytes:
    return hmac.digest(bytes.fromhex(seed), public_value.encode("utf-8"), "sha256")


def rank_order(hashed: list[str], seed: str, public_value: str = "") -> list[str]:
    """The hashed references in the order of the draw, rank 1 first."""
    key = draw_key(seed, public_value)
    scores = [hmac.digest(key, h.encode("ascii"), "sha256") for h in hashed]
    return [h for _score, h in sorted(zip(scores, hashed, strict=True))]


@dataclass(frozen=True)
class Verification:
    seed_matches: bool  # the revealed seed is the one committed to
    list_matches: bool  # the entry list is the one frozen
    count_matches: bool
    order: tuple[str, ...]  # recomputed from the published data

    @property
    def ok(self) -> bool:
        return self.seed_matches and self.list_matches and self.count_matches

    def rank(self, hashed: str) -> int | None:
        try:
            return self.order.index(hashed) + 1
        except ValueError:
            return None


def verify(published: dict, listing: bytes) -> Verification:
    """Check a draw from what it published (its draw.json and entries.txt) alone."""
    try:
        seed, commitment = str(published["seed"]), str(published["seed_commitment"])
        frozen_hash, count = str(published["entries_hash"]), int(published["entry_count"])
        public_value = str(published.get("public_value") or "")
    except (KeyError, TypeError, ValueError) as exc:
        raise DrawDataError(f"the draw's data lacks {exc}") from None
    if not re.fullmatch(r"[0-9a-f]{64}", seed):
        raise DrawDataError("the seed must be 64 lowercase hex characters")
    hashed = parse_entry_list(listing)
    return Verification(seed_matches=hmac.compare_digest(seed_commitment(seed), commitment),
                        list_matches=hmac.compare_digest(entries_hash(listing), frozen_hash),
                        count_matches=len(hashed) == count,
                        order=tuple(rank_order(hashed, seed, public_value)))


# --- recording draws ------------------------------------------------------------------

def draw_commit(*, waiting_room: WaitingRoom | None = None, ballot: Ballot | None = None,
                now: datetime | None = None) -> Draw:
    """The draw of a waiting room or a ballot, set up (its seed chosen and committed to)
    the first time it is asked for. Ask when the room or the ballot is set up, so that
    the commitment is public before anyone enters."""
    subject = {"waiting_room": waiting_room} if waiting_room is not None else {"ballot": ballot}
    draw = Draw.objects.filter(**subject).first()
    if draw is not None:
        return draw
    seed = new_seed()
    try:
        with transaction.atomic():
            return Draw.objects.create(**subject, seed=seed, seed_commitment=seed_commitment(seed),
                                       committed_at=now or timezone.now())
    except IntegrityError:  # set up by a concurrent request: theirs is the one published
        return Draw.objects.get(**subject)


def _public_value_refusal(draw: Draw, source: str, value: str) -> SalesError | None:
    """Why this public value (and its source) may not be set on this draw now, if not."""
    if draw.waiting_room_id and source and not value:
        return InvalidRequest("a waiting room is drawn at its opening: enter the value with its source",
                              field="public_value")
    if draw.drawn_at is not None:
        if (source, value) != (draw.public_value_source, draw.public_value):
            return IllegalTransition("the draw is made: its public value is fixed")
    elif draw.frozen_at is not None:
        if source != draw.public_value_source:
            return IllegalTransition("the entries are frozen: the source of the public value is fixed")
        if value != draw.public_value and not source:
            return IllegalTransition("the entries are frozen and no source was announced before them: "
                                     "the public value is fixed")
    return None


def draw_public_value_check(*, draw: Draw, source: str, value: str) -> None:
    refusal = _public_value_refusal(draw, source.strip(), value.strip())
    if refusal is not None:
        raise refusal


def draw_set_public_value(*, draw: Draw, source: str, value: str) -> Draw:
    """Set the public value mixed into a draw, and where it comes from. The source may be
    announced until the entries freeze; the value set until then, and after it (until the
    draw) only if a source was announced before: whoever knows the seed must not be able
    to choose a value once the entries are known."""
    source, value = source.strip(), value.strip()
    with transaction.atomic():  # the row's lock orders this against the freeze and the draw
        current = Draw.objects.select_for_update().defer("entries", "ranked").get(pk=draw.pk)
        draw_public_value_check(draw=current, source=source, value=value)
        current.public_value_source, current.public_value = source, value
        current.save(update_fields=["public_value_source", "public_value"])
    return current


def awaits_public_value(draw: Draw) -> bool:
    """A source was announced and its value is not entered yet: not to be drawn."""
    return bool(draw.public_value_source) and not draw.public_value


def _packed(listing: bytes) -> bytes:
    """An entry list's hashed references as 32 bytes each, in its order."""
    return bytes.fromhex(listing.decode("ascii").replace("\n", ""))


def _unpacked(blob) -> list[str]:
    text = bytes(blob).hex()
    return [text[i:i + 2 * HASH_LENGTH] for i in range(0, len(text), 2 * HASH_LENGTH)]


_SMALL_FIELDS = ["public_value_source", "public_value", "entry_count", "entries_hash", "frozen_at", "drawn_at"]


def draw_freeze(*, draw: Draw, hashed: list[str], now: datetime | None = None) -> Draw:
    """Freeze the entry list and publish its hash. Once only: a second call must bring
    the same list."""
    if len(set(hashed)) != len(hashed):
        raise IllegalTransition("two entries have the same reference")
    listing = entry_list(hashed)
    digest = entries_hash(listing)
    updated = Draw.objects.filter(pk=draw.pk, frozen_at__isnull=True).update(
        entries=_packed(listing), entries_hash=digest, entry_count=len(hashed), frozen_at=now or timezone.now())
    draw.refresh_from_db(fields=_SMALL_FIELDS)
    if not updated and draw.entries_hash != digest:
        raise IllegalTransition("the entry list is not the one frozen")
    return draw


def draw_run(*, draw: Draw, hashed: list[str], now: datetime | None = None) -> list[str]:
    """Draw: the hashed references in rank order, recorded with the seed now public. The
    entries must be the frozen list (a tampered list is refused). Drawn already, it gives
    the recorded order, so a retried draw cannot come out differently."""
    now = now or timezone.now()
    if draw.frozen_at is None:
        draw = draw_freeze(draw=draw, hashed=hashed, now=now)
    elif entries_hash(entry_list(hashed)) != draw.entries_hash:
        raise IllegalTransition("the entry list is not the one frozen")
    if draw.drawn_at is None:
        if awaits_public_value(draw):
            raise IllegalTransition("the public value announced is not entered yet")
        order = rank_order(hashed, draw.seed, draw.public_value)
        # The public value recorded is the one used, whatever the admin saves meanwhile.
        if Draw.objects.filter(pk=draw.pk, drawn_at__isnull=True).update(
                ranked=bytes.fromhex("".join(order)),
                drawn_at=now, public_value=draw.public_value):
            draw.drawn_at = now
            return order
        draw.refresh_from_db(fields=_SMALL_FIELDS)
    return _unpacked(Draw.objects.values_list("ranked", flat=True).get(pk=draw.pk))


def opening_draw(*, performance_id: int, visitors: list[str],
                 now: datetime | None = None) -> tuple[list[str], str]:
    """The waiting room's opening draw: its early visitors in the order drawn, and the
    seed, now public. Frozen and drawn in one step, since a queue that has opened cannot
    wait."""
    room = WaitingRoom.objects.get(performance_id=performance_id)
    draw = draw_commit(waiting_room=room, now=now)
    by_hash = {hashed_reference(ref): v for ref, v in zip(queue_references(performance_id, visitors), visitors,
                                                            strict=True)}
    order = draw_run(draw=draw, hashed=list(by_hash), now=now)
    return [by_hash[h] for h in order], draw.seed


_POSITION_IN = {"entries": "SELECT position(%s::bytea in entries) FROM sales_draw WHERE id = %s",
                "ranked": "SELECT position(%s::bytea in ranked) FROM sales_draw WHERE id = %s"}


def _position(draw: Draw, hashed: str, column: str) -> int | None:
    """Where a hashed reference stands in one of a draw's stored lists (1 = first), found
    by PostgreSQL without bringing the list (32 bytes an entry) into Python."""
    with connection.cursor() as cursor:
        cursor.execute(_POSITION_IN[column], [bytes.fromhex(hashed), draw.pk])
        row = cursor.fetchone()
    found = row[0] if row else 0
    if not found or (found - 1) % HASH_LENGTH:  # a match across two entries is no match
        return None
    return (found - 1) // HASH_LENGTH + 1


def rank_of(draw: Draw, hashed: str) -> int | None:
    """An entry's rank in the draw, by its hashed reference; None if it was not in it."""
    return _position(draw, hashed, "ranked") if draw.drawn_at else None


def is_listed(draw: Draw, hashed: str) -> bool:
    """Whether an entry is in the frozen entry list."""
    return draw.frozen_at is not None and _position(draw, hashed, "entries") is not None


def published_listing(draw: Draw) -> bytes:
    return entry_list(_unpacked(draw.entries))


def published(draw: Draw) -> dict:
    """What the draw has made public so far, as draw.json gives it."""
    data = {"algorithm": ALGORITHM, "seed_commitment": draw.seed_commitment,
            "committed_at": draw.committed_at.isoformat(), "public_value_source": draw.public_value_source,
            "public_value": draw.public_value,
            "entry_count": draw.entry_count, "entries_hash": draw.entries_hash or None,
            "frozen_at": draw.frozen_at.isoformat() if draw.frozen_at else None,
            "seed": None, "drawn_at": None}
    if draw.drawn_at is not None:
        data.update(seed=draw.seed, drawn_at=draw.drawn_at.isoformat())
    return data
