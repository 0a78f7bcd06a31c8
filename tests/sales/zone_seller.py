"""A web process of its own for the races between processes (tests/sales/test_concurrency.py).
Started with `spawn`, it points the settings at the suite's test database and cache (given
by the test) before Django sets up, then imports the models."""


def sell_one_by_one(database: str, cache_location: str, perf_id: int, holds: int, start, out) -> None:
    """Best-available holds of one place, counting the hold statements it sends (a try
    that finds its block taken is one more); puts (holds made, statements) on `out`, or
    the traceback of what went wrong."""
    import os
    import traceback

    try:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
        from django.conf import settings

        settings.DATABASES["default"]["NAME"] = database
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": cache_location}}
        import django

        django.setup()
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
    except BaseException:  # noqa: BLE001 - whatever it is, the test shows it
        out.put(traceback.format_exc())
