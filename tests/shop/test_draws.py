"""Draws anyone can verify: a commitment before, the seed after, and a check that needs
nothing but the published files."""

import hashlib
import json
import time
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from sales import draws, lottery, waiting_room
from sales.channels.shop.queue import VISITOR_COOKIE, _visitor_signer
from sales.errors import IllegalTransition
from sales.models import Ballot, BallotEntry, Draw, WaitingRoom
from tests.support import apply_confirmed, make_performance

pytestmark = pytest.mark.django_db


def open_ballot(perf, applicants: int) -> Ballot:
    now = timezone.now()
    ballot = Ballot.objects.create(performance=perf, zone=perf.price_zones.get(), max_per_application=4,
                                   opens_at=now - timedelta(days=2), closes_at=now + timedelta(hours=1))
    for i in range(applicants):
        apply_confirmed(ballot=ballot, name=f"Fan {i}", email=f"fan{i}@example.org", quantity=1)
    return ballot


def close(ballot: Ballot) -> None:
    Ballot.objects.filter(pk=ballot.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    ballot.refresh_from_db()


def files(client: Client, url: str) -> tuple[dict, bytes]:
    return client.get(url + "draw.json").json(), client.get(url + "entries.txt").content


def test_a_ballot_commits_before_it_takes_entries_freezes_then_reveals():
    perf = make_performance(rows=2, per_row=5)
    ballot = open_ballot(perf, 25)
    client = Client()
    url = f"/lottery/{ballot.pk}/draw/"

    # While applications are open: the seed's commitment only, made before the first entry.
    draw = Draw.objects.get(ballot=ballot)
    assert draw.committed_at <= ballot.entries.order_by("created_at").first().created_at
    data = client.get(url + "draw.json").json()
    assert data["seed"] is None and data["entries_hash"] is None and len(data["seed_commitment"]) == 64
    assert client.get(url + "entries.txt").status_code == 404
    page = client.get(url).content.decode()
    assert draw.seed_commitment in page and draw.seed not in page

    # Closed: the entry list freezes; its hash and the list are public, the seed is not.
    close(ballot)
    lottery.ballot_freeze(ballot=ballot)
    data, listing = files(client, url)
    assert data["seed"] is None and data["entry_count"] == 25
    assert data["entries_hash"] == hashlib.sha256(listing).hexdigest()
    mine = ballot.entries.first()
    assert draws.hashed_reference(mine.reference).encode() in listing
    assert mine.name.encode() not in listing and mine.email.encode() not in listing  # nothing personal
    listed = client.get(url, {"reference": draws.format_reference(mine.reference)}).content.decode()
    assert "is in the frozen entry list" in listed

    # Drawn: the seed is revealed, matches its commitment, and the published files alone
    # give every entry's rank as the box office allocated it.
    lottery.ballot_draw(ballot=ballot)
    data, listing = files(client, url)
    assert hashlib.sha256(data["seed"].encode()).hexdigest() == data["seed_commitment"] == draw.seed_commitment
    checked = draws.verify(data, listing)
    assert checked.ok
    for entry in ballot.entries.all():
        assert checked.rank(draws.hashed_reference(entry.reference)) == entry.rank
    # Anyone looks up a rank by reference, typed loosely.
    typed = draws.format_reference(mine.reference).lower().replace("-", " ")
    mine.refresh_from_db()
    answer = client.get(url, {"reference": typed}).content.decode()
    assert f"was drawn at rank {mine.rank} of 25" in answer and data["seed"] in answer
    assert "is not in this draw" in client.get(url, {"reference": "0000-0000-0000"}).content.decode()
    bad = client.get(url, {"reference": "not a reference"})
    assert bad.status_code == 400 and "is not an entry reference" in bad.content.decode()
    assert client.get("/lottery/999999/draw/").status_code == 404


def test_tampering_with_the_entry_list_or_the_seed_is_detected(tmp_path):
    perf = make_performance(rows=1, per_row=4)
    ballot = open_ballot(perf, 12)
    close(ballot)
    lottery.ballot_draw(ballot=ballot)
    data, listing = files(Client(), f"/lottery/{ballot.pk}/draw/")
    assert draws.verify(data, listing).ok
    lines = listing.decode().splitlines()

    dropped = "".join(f"{h}\n" for h in lines[1:]).encode()  # an entry left out
    stuffed = "".join(f"{h}\n" for h in sorted([*lines, hashlib.sha256(b"a friend").hexdigest()])).encode()
    swapped = "".join(f"{h}\n" for h in sorted([*lines[1:], "0" * 64])).encode()  # one replaced
    for listing_changed in (dropped, stuffed, swapped):
        assert not draws.verify(data, listing_changed).list_matches
    with pytest.raises(draws.DrawDataError, match="out of order"):
        draws.verify(data, "".join(f"{h}\n" for h in reversed(lines)).encode())
    other_seed = draws.new_seed()
    assert not draws.verify({**data, "seed": other_seed}, listing).seed_matches
    # A different public value gives a different order: it is part of what is checked.
    assert draws.verify({**data, "public_value": "12 17 23"}, listing).order != draws.verify(data, listing).order

    # The command says the same from the files, and refuses a tampered draw.
    (tmp_path / "draw.json").write_text(json.dumps(data))
    (tmp_path / "entries.txt").write_bytes(listing)
    (tmp_path / "dropped.txt").write_bytes(dropped)
    (tmp_path / "forged.json").write_text(json.dumps({**data, "seed": other_seed}))
    call_command("verify_draw", data=tmp_path / "draw.json", entries=tmp_path / "entries.txt")
    with pytest.raises(CommandError, match="does not hold together"):
        call_command("verify_draw", data=tmp_path / "draw.json", entries=tmp_path / "dropped.txt")
    with pytest.raises(CommandError, match="does not hold together"):
        call_command("verify_draw", data=tmp_path / "forged.json", entries=tmp_path / "entries.txt")


def test_entries_changed_after_the_freeze_are_not_drawn():
    perf = make_performance(rows=1, per_row=4)
    ballot = open_ballot(perf, 5)
    close(ballot)
    lottery.ballot_freeze(ballot=ballot)
    BallotEntry.objects.create(ballot=ballot, name="Late friend", email="late@example.org", quantity=4)
    with pytest.raises(IllegalTransition, match="not the one frozen"):
        lottery.ballot_draw(ballot=ballot)
    assert not ballot.entries.filter(rank__isnull=False).exists()
    assert Draw.objects.get(ballot=ballot).drawn_at is None


def test_the_public_value_is_mixed_in_and_fixed_by_the_draw(performance):
    ballot = open_ballot(performance, 8)
    Draw.objects.filter(ballot=ballot).update(public_value="Loto 2026-12-05: 04 11 19 27 33 45")
    close(ballot)
    lottery.ballot_draw(ballot=ballot)
    draw = Draw.objects.get(ballot=ballot)
    hashed = draws.parse_entry_list(draws.published_listing(draw))
    ranked = [draws.hashed_reference(r) for r in ballot.entries.order_by("rank").values_list("reference", flat=True)]
    assert ranked == draws.rank_order(hashed, draw.seed, "Loto 2026-12-05: 04 11 19 27 33 45")
    assert ranked != draws.rank_order(hashed, draw.seed)
    assert draws.published(draw)["public_value"] == "Loto 2026-12-05: 04 11 19 27 33 45"


def test_the_queue_shows_each_early_visitor_their_reference_and_the_draw_page_ranks_it():
    perf = make_performance()
    room = WaitingRoom.objects.create(performance=perf, opens_at=timezone.now() + timedelta(seconds=2),
                                      admit_per_minute=1)
    draws.draw_commit(waiting_room=room)
    waiting_room.publish(room)
    early, late = Client(), Client()
    before = unescape(early.get(f"/performances/{perf.pk}/queue/", headers={"accept-language": "fr"}).content.decode())
    visitor = _visitor_signer().unsign(early.cookies[VISITOR_COOKIE].value)
    reference = draws.format_reference(draws.queue_reference(perf.pk, visitor))
    assert "Vous êtes dans le tirage d’ouverture" in before and reference in before
    time.sleep(max(0.0, room.opens_at.timestamp() - time.time()) + 0.05)
    waiting_room.draw(perf.pk)
    after = early.get(f"/performances/{perf.pk}/queue/").content.decode()
    assert "You were drawn at place 1 in the opening draw" in after and reference in after
    assert reference not in late.get(f"/performances/{perf.pk}/queue/").content.decode()  # not in the draw
    page = Client().get(f"/performances/{perf.pk}/draw/", {"reference": reference}).content.decode()
    assert f"{reference} was drawn at rank 1 of 1." in page
    french = unescape(Client().get(f"/performances/{perf.pk}/draw/", {"reference": reference},
                                   headers={"accept-language": "fr"}).content.decode())
    assert "a été tiré au rang 1 sur 1" in french and "Comment l’ordre est calculé" in french


def test_the_queue_writes_a_place_in_the_opening_draw_as_the_draw_page_writes_a_rank(performance):
    """Drawn at place 1,100 of 1,200: the waiting room says it grouped in the reader's language,
    as the draw page and the queue's own counts of people do ("1 100" in French)."""
    room = WaitingRoom.objects.create(performance=performance, opens_at=timezone.now() + timedelta(hours=1),
                                      admit_per_minute=1)
    draws.draw_commit(waiting_room=room)
    waiting_room.publish(room)
    k = waiting_room._keys(performance.pk)
    script = waiting_room._join_script(waiting_room.settings.WAITING_ROOM_REDIS_URL)
    pipe = waiting_room.client().pipeline(transaction=False)
    for i in range(1200):  # each through the queue's own join script, before the opening
        script(keys=[k["cfg"], k["early"], k["queue"], k["seq"], k["drawn"]],
               args=[f"visitor-{i:04d}", room.opens_at.timestamp() - 600 + i * 0.001], client=pipe)
    pipe.execute()
    WaitingRoom.objects.filter(pk=room.pk).update(opens_at=timezone.now() - timedelta(seconds=1))
    waiting_room.publish(WaitingRoom.objects.get(pk=room.pk))
    assert waiting_room.draw(performance.pk) == 1200
    visitor = waiting_room.drawn_order(performance.pk)[1099]
    browser = Client()
    browser.cookies[VISITOR_COOKIE] = _visitor_signer().sign(visitor)
    url = f"/performances/{performance.pk}/queue/"
    page = unescape(browser.get(url, headers={"accept-language": "fr"}).content.decode())
    assert "Vous avez été tiré à la place 1\u202f100 au tirage d’ouverture." in page
    assert "You were drawn at place 1,100 in the opening draw." in browser.get(url).content.decode()


def test_the_command_agrees_with_the_box_office_on_a_draw_of_100000(performance, tmp_path, capsys):
    room = WaitingRoom.objects.create(performance=performance, opens_at=timezone.now() + timedelta(hours=1))
    waiting_room.publish(room)
    opens = room.opens_at.timestamp()
    visitors = [f"visitor-{i:06d}" for i in range(100_000)]
    started = time.perf_counter()
    k = waiting_room._keys(performance.pk)
    script = waiting_room._join_script(waiting_room.settings.WAITING_ROOM_REDIS_URL)
    pipe = waiting_room.client().pipeline(transaction=False)
    for i, v in enumerate(visitors):  # each through the queue's own join script
        script(keys=[k["cfg"], k["early"], k["queue"], k["seq"], k["drawn"]], args=[v, opens - 600 + i * 0.001],
               client=pipe)
        if i % 10_000 == 9_999:
            pipe.execute()
    pipe.execute()
    joined = time.perf_counter()
    WaitingRoom.objects.filter(pk=room.pk).update(opens_at=timezone.now() - timedelta(seconds=1))
    waiting_room.publish(WaitingRoom.objects.get(pk=room.pk))
    assert waiting_room.draw(performance.pk) == 100_000
    drawn = time.perf_counter()
    order = waiting_room.drawn_order(performance.pk)
    client = Client()
    url = f"/performances/{performance.pk}/draw/"
    (tmp_path / "draw.json").write_bytes(client.get(url + "draw.json").content)
    (tmp_path / "entries.txt").write_bytes(client.get(url + "entries.txt").content)
    published = time.perf_counter()
    call_command("verify_draw", data=tmp_path / "draw.json", entries=tmp_path / "entries.txt",
                 order=tmp_path / "order.txt", reference=[draws.queue_reference(performance.pk, order[99_999])])
    verified = time.perf_counter()
    output = capsys.readouterr().out
    assert "matches its commitment" in output and "matches its hash" in output and ": 100000\n" in output
    box_office = [draws.hashed_reference(draws.queue_reference(performance.pk, v)) for v in order]
    assert (tmp_path / "order.txt").read_text().splitlines() == box_office
    print(f"\n100,000 entries: joined {joined - started:.2f} s, drawn {drawn - joined:.2f} s, "
          f"files served {published - drawn:.2f} s, verified by the command {verified - published:.2f} s")


def test_the_worked_example_in_the_documentation_holds():
    seed, public_value = "00112233445566778899aabbccddeeff" * 2, "04 11 19 27 33 45"
    references = ["7K2M9XD4HWA0", "Q0RST5VWXYZ1", "HC2FHCJMAMW7"]
    assert draws.seed_commitment(seed) == "2a8abfa8cb9906290437854193ca6bca41d4d4e26d1d454bd66a35158095e737"
    hashed = [draws.hashed_reference(r) for r in references]
    assert draws.entries_hash(draws.entry_list(hashed)) == (
        "e889d4c518124ec4dcda85b1fac8e215e3491dbd6764bdc3e4c0e79d8a1f7059")
    assert draws.draw_key(seed, public_value).hex() == (
        "a94f2bb8267625ad6d323a0800fdf13a8fea5b218f48f86fac8b76db86d3c5b7")
    order = draws.rank_order(hashed, seed, public_value)
    assert [references[hashed.index(h)] for h in order] == ["7K2M9XD4HWA0", "HC2FHCJMAMW7", "Q0RST5VWXYZ1"]
    assert draws.normalize_reference(" 7k2m-9xd4-hwao ") == "7K2M9XD4HWA0"  # typed loosely, O for 0


def test_an_opening_draw_that_cannot_be_made_keeps_visitors_on_the_holding_page(performance, caplog):
    room = WaitingRoom.objects.create(performance=performance, opens_at=timezone.now() + timedelta(minutes=5))
    waiting_room.publish(room)
    opens = room.opens_at.timestamp()
    waiting_room.join(performance.pk, "early", now=opens - 10)
    # The record says another list was frozen: the draw refuses to make an order from this one.
    draw = draws.draw_commit(waiting_room=room)
    draws.draw_freeze(draw=draw, hashed=[hashlib.sha256(b"someone else").hexdigest()])
    place = waiting_room.join(performance.pk, "late", now=opens + 1)
    assert place.state == "before" and "could not be made" in caplog.text
    assert waiting_room.drawn_count(performance.pk) is None and waiting_room.drawn_order(performance.pk) == []
    assert not waiting_room.client().exists(waiting_room._keys(performance.pk)["drawing"])  # no lock left
    # Put right, the next poll makes the draw: the early visitor first, then the late one.
    Draw.objects.filter(pk=draw.pk).update(frozen_at=None, entries_hash="", entry_count=None, entries=b"")
    assert waiting_room.join(performance.pk, "late", now=opens + 2).position == 2
    assert waiting_room.drawn_order(performance.pk) == ["early", "late"]


def test_a_public_value_announced_before_the_freeze_is_awaited_and_none_is_chosen_after_it(client, organizer):
    from sales.tasks import run_ballots

    perf = make_performance(rows=1, per_row=4)
    client.force_login(organizer)
    day = timezone.localtime().strftime("%Y-%m-%d")
    response = client.post("/admin/sales/ballot/add/", {
        "performance": perf.pk, "zone": perf.price_zones.get().pk, "opens_at_0": day, "opens_at_1": "00:00:00",
        "closes_at_0": day, "closes_at_1": "23:59:00", "max_per_application": 2, "payment_hours": 48,
        "entries-TOTAL_FORMS": 0, "entries-INITIAL_FORMS": 0}, follow=True)
    assert response.status_code == 200
    ballot = Ballot.objects.get(performance=perf)
    draw = Draw.objects.get(ballot=ballot)  # committed to as the ballot was set up, before any entry
    change = f"/admin/sales/draw/{draw.pk}/change/"
    page = client.get(change).content.decode()
    assert draw.seed_commitment in page and draw.seed not in page  # the seed stays hidden, even here
    source = "Loto, 5 December: the six winning numbers, ascending, separated by spaces"
    client.post(change, {"public_value_source": source, "public_value": ""})
    for i in range(3):
        apply_confirmed(ballot=ballot, name=f"Fan {i}", email=f"fan{i}@example.org", quantity=1)
    close(ballot)

    run_ballots()  # freezes
    run_ballots()  # would draw, but the announced value is not in yet
    ballot.refresh_from_db()
    assert ballot.drawn_at is None and Draw.objects.get(pk=draw.pk).frozen_at is not None
    waiting = Client().get(f"/lottery/{ballot.pk}/draw/").content.decode()
    assert "not known yet: the draw waits for it" in waiting and "Loto, 5 December" in waiting
    with pytest.raises(IllegalTransition, match="source of the public value is fixed"):
        draws.draw_set_public_value(draw=draw, source="something easier", value="1")
    client.post(change, {"public_value": "04 11 19 27 33 45"})  # the source's value, after the freeze
    run_ballots()
    ballot.refresh_from_db()
    draw.refresh_from_db()
    assert ballot.drawn_at is not None and draw.public_value == "04 11 19 27 33 45"
    checked = draws.verify(draws.published(draw), draws.published_listing(draw))
    assert checked.ok and list(checked.order) == draws.rank_order(list(checked.order), draw.seed, "04 11 19 27 33 45")
    client.post(change, {"public_value": "something else"})  # too late: the draw used the first
    draw.refresh_from_db()
    assert draw.public_value == "04 11 19 27 33 45"
    assert draw.seed in client.get(change).content.decode()


def test_without_an_announced_source_no_public_value_is_set_once_the_entries_froze():
    perf = make_performance(rows=1, per_row=4)
    ballot = open_ballot(perf, 3)
    close(ballot)
    draw = lottery.ballot_freeze(ballot=ballot)
    with pytest.raises(IllegalTransition, match="no source was announced"):
        draws.draw_set_public_value(draw=draw, source="", value="7")
    assert Draw.objects.get(pk=draw.pk).public_value == ""


def test_beat_makes_the_opening_draws_and_one_that_cannot_be_made_does_not_stop_the_others(caplog):
    from sales.tasks import refresh_waiting_rooms

    broken, fine = make_performance(rows=1, per_row=4), make_performance(rows=1, per_row=4)
    for perf in (broken, fine):
        room = WaitingRoom.objects.create(performance=perf, opens_at=timezone.now() + timedelta(minutes=5))
        waiting_room.publish(room)
        waiting_room.join(perf.pk, "early", now=room.opens_at.timestamp() - 10)
    # The broken room's record says another list was frozen: its draw is refused.
    draws.draw_freeze(draw=draws.draw_commit(waiting_room=broken.waiting_room),
                      hashed=[hashlib.sha256(b"someone else").hexdigest()])
    WaitingRoom.objects.update(opens_at=timezone.now() - timedelta(seconds=1))
    for room in WaitingRoom.objects.all():
        waiting_room.publish(room)
    refresh_waiting_rooms()
    assert waiting_room.drawn_order(fine.pk) == ["early"] and Draw.objects.get(waiting_room__performance=fine).drawn_at
    assert waiting_room.drawn_count(broken.pk) is None and "could not be made" in caplog.text


def test_the_draw_page_writes_its_moments_on_the_venues_clock():
    """The performance's start and the draw's published, frozen and drawn moments are the
    venue's, as its tickets say, not the box office's (America/Toronto)."""
    perf = make_performance(rows=1, per_row=4)
    perf.venue.time_zone = "America/Vancouver"
    perf.venue.save(update_fields=["time_zone"])
    # Winter dates: 03:xx UTC is 19:xx in Vancouver, 22:xx in Toronto, the day before in both.
    perf.starts_at = datetime(2027, 1, 15, 3, 30, tzinfo=UTC)
    perf.save(update_fields=["starts_at"])
    ballot = open_ballot(perf, 3)
    close(ballot)
    lottery.ballot_draw(ballot=ballot)
    Draw.objects.filter(ballot=ballot).update(committed_at=datetime(2027, 1, 10, 3, 5, tzinfo=UTC),
                                              frozen_at=datetime(2027, 1, 12, 3, 10, tzinfo=UTC),
                                              drawn_at=datetime(2027, 1, 12, 3, 20, tzinfo=UTC))
    page = unescape(Client().get(f"/lottery/{ballot.pk}/draw/").content.decode())
    for moment in ("14 January 2027 19:30", "published Saturday 9 January 2027 at 19:05",
                   "frozen Monday 11 January 2027 at 19:10", "drawn Monday 11 January 2027 at 19:20"):
        assert moment in page, moment
    assert "22:" not in page
