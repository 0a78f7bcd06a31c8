"""A web process of its own for the races between processes (tests/sales/test_concurrency.py):
started with `spawn`, it sets Django up on the suite's test database before importing models."""


def sell_one_by_one(db_name: str, perf_id: int, holds: int, start, out) -> None:
    """A web process of its own: best-available holds of one place, counting the hold
    statements it sends (a try that finds its block taken is one more)."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.DATABASES["default"]["NAME"] = db_name
    from django.db import connection

    from events.models import Channel, Performance
    from sales.holds import hold_create

    perf = Performance.objects.get(pk=perf_id)
    zone = perf.price_zones.get()
    tries = [0]

    def count(execute, sql, params, many, context):
        tries[0] += "new_hold" in sql
        return execute(sql, params, many, context)

    start.wait()
    made = 0
    with connection.execute_wrapper(count):
        for _ in range(holds):
            hold_create(performance=perf, channel=Channel.ONLINE, zone=zone, quantity=1)
            made += 1
    connection.close()
    out.put((made, tries[0]))

