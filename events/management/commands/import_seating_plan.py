from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from events.models import Venue
from events.seating import SeatingPlanError, decode_upload, seating_plan_import


class Command(BaseCommand):
    help = "Import a seating plan (CSV or JSON) into a venue, creating the venue if needed."

    def add_arguments(self, parser):
        parser.add_argument("venue", help="venue name")
        parser.add_argument("file", type=Path)

    def handle(self, *args, venue, file, **options):
        if not file.exists():
            raise CommandError(f"{file}: no such file")
        try:
            with transaction.atomic():  # a venue created here goes too if the plan is bad
                obj, _ = Venue.objects.get_or_create(name=venue)
                sections = seating_plan_import(venue=obj, text=decode_upload(file.read_bytes()),
                                               filename=file.name)
        except SeatingPlanError as exc:
            raise CommandError("nothing imported:\n  " + "\n  ".join(exc.errors)) from None
        seats = sum(s.seats.count() for s in sections)
        self.stdout.write(self.style.SUCCESS(
            f"{obj}: imported {len(sections)} sections, {seats} seats"))
