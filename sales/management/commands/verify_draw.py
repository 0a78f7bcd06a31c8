"""Check a draw from what it published, and nothing else: its draw.json and entries.txt,
from its public page's address or from files. Reads no database.

    manage.py verify_draw --url https://tickets.example.org/lottery/12/draw/ --reference 7K2M-Q9XD-4HWA
    manage.py verify_draw --data draw.json --entries entries.txt --order order.txt
"""

import json
import urllib.request
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sales import draws


def _fetch(url: str) -> bytes:
    if not url.startswith(("http://", "https://")):
        raise CommandError(f"not a web address: {url}")
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - http(s) only, checked above
            return response.read()
    except OSError as exc:
        raise CommandError(f"could not read {url}: {exc}") from None


class Command(BaseCommand):
    help = "Recompute a draw's commitments and order from its published files; print ranks."

    def add_arguments(self, parser):
        parser.add_argument("--url", help="the draw's public page (its draw.json and entries.txt are read)")
        parser.add_argument("--data", type=Path, help="the draw's draw.json, saved")
        parser.add_argument("--entries", type=Path, help="the draw's entries.txt, saved")
        parser.add_argument("--reference", action="append", default=[],
                            help="an entry reference to rank (may be repeated)")
        parser.add_argument("--hashed", action="append", default=[],
                            help="a hashed reference (64 hex characters) to rank (may be repeated)")
        parser.add_argument("--order", type=Path, help="write the whole order here: one hashed reference a line")

    def handle(self, *args, url, data, entries, reference, hashed, order, **options):
        if url:
            base = url if url.endswith("/") else url + "/"
            raw_data, listing = _fetch(base + "draw.json"), _fetch(base + "entries.txt")
        elif data and entries:
            try:
                raw_data, listing = data.read_bytes(), entries.read_bytes()
            except OSError as exc:
                raise CommandError(str(exc)) from None
        else:
            raise CommandError("give --url, or --data and --entries")
        try:
            published = json.loads(raw_data)
            if published.get("seed") is None:
                raise CommandError("this draw has not been made yet: its seed is not public")
            result = draws.verify(published, listing)
        except (ValueError, draws.DrawDataError) as exc:
            raise CommandError(f"not a draw's published data: {exc}") from None

        self.stdout.write(f"algorithm       {published.get('algorithm')}")
        self.stdout.write(f"seed            {'matches' if result.seed_matches else 'DOES NOT MATCH'} "
                          f"its commitment {published['seed_commitment']}")
        self.stdout.write(f"entry list      {'matches' if result.list_matches else 'DOES NOT MATCH'} "
                          f"its hash {published['entries_hash']}")
        published_count = "as published" if result.count_matches else f"published: {published['entry_count']}"
        self.stdout.write(f"entries         {len(result.order)} ({published_count})")
        wanted = [(r, draws.normalize_reference(r)) for r in reference]
        for typed, ref in wanted:
            if ref is None:
                raise CommandError(f"not an entry reference: {typed}")
        targets = [(draws.format_reference(ref), draws.hashed_reference(ref)) for _typed, ref in wanted]
        targets += [(h, h.lower()) for h in hashed]
        for label, target in targets:
            rank = result.rank(target)
            self.stdout.write(f"rank            {label}: {rank if rank else 'not in this draw'}")
        if order:
            order.write_text("".join(f"{h}\n" for h in result.order))
            self.stdout.write(f"order written   {order}")
        if not result.ok:
            raise CommandError("the published data does not hold together: this is not the draw committed to")
