from django.core.management.base import BaseCommand

from sales.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo venue, event, performances and users (safe to run again)."

    def handle(self, *args, **options):
        self.stdout.write(load_demo())
