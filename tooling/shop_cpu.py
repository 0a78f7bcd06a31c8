"""CPU per shop page, in this process (Django's test client: no server, no network), as a
buyer buys in the online shop: the performance page, its largest section and the live
seat states (the shop's normal mode), the best seats of a zone, the basket, and the
checkout paid with a card the provider (the local stack's localstripe) tokenised, as
the crowd benchmark's shop buyers buy. Each buyer is a new browser from an address of
its own.

CPU time and statements per page, and what PostgreSQL spent on the whole purchase, not
the clock: a busy machine stretches wall-clock figures, not these. Set beside the API's
hold and order (`python -m tooling.order_cpu --floor`), it says what a buyer in the shop
costs the public pool (docs/scaling.md).

    python -m tooling.shop_cpu [--orders 60]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import urllib.parse
import urllib.request

from tooling import stack
from tooling.crowd import HIDDEN, SECTION
from tooling.order_cpu import backend_cpu_seconds
from tooling.staff_cpu import Pages

STEPS = ["page", "section", "seat states", "hold", "basket", "checkout"]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--orders", type=int, default=60, help="shop orders of two tickets (after 5 not counted)")
    args = ap.parse_args(argv)
    with stack.in_process_benchmark():
        from django.conf import settings
        from django.test import Client

        from sales.benchmark import bench_performance

        perf = bench_performance(2 * max(2, -(-(args.orders + 5) * 2 // 50)), 50)
        zones = list(perf.price_zones.values_list("pk", flat=True))
        rng, pages = random.Random(1), Pages()
        # One handler for all buyers, as a web process has: a new test client would load the
        # middleware again, and WhiteNoise's scan of the static files with it (tens of ms).
        browser = Client()
        database, counted_orders = 0.0, 0

        def card_token() -> str:  # typed into the provider's field, in the browser: not ours to count
            typed = urllib.parse.urlencode({"card[number]": "4242424242424242", "card[exp_month]": "12",
                                            "card[exp_year]": "2031", "card[cvc]": "123",
                                            "key": settings.STRIPE_PUBLISHABLE_KEY}).encode()
            with urllib.request.urlopen(f"{settings.STRIPE_API_BASE}/v1/tokens", typed, timeout=30) as answer:
                return json.load(answer)["id"]

        for i in range(args.orders + 5):
            counted = i >= 5  # the first ones import, connect and prepare
            browser.cookies.clear()  # a new browser: no session, no CSRF cookie
            browser.defaults["HTTP_X_FORWARDED_FOR"] = f"10.9.{i // 250}.{i % 250 + 1}"
            token = card_token()
            spent = backend_cpu_seconds()
            page = pages.get(browser, "page", "get", f"/performances/{perf.pk}/", counted=counted).content.decode()
            sections = SECTION.findall(page)
            if not sections:
                raise SystemExit("the performance page shows no section: is the shop in its light mode?")
            pages.get(browser, "section", "get", f"/performances/{perf.pk}/seats/?section={sections[0]}",
                      counted=counted)
            pages.get(browser, "seat states", "get", f"/performances/{perf.pk}/seat-states/", counted=counted)
            csrf = dict(HIDDEN.findall(page))["csrfmiddlewaretoken"]
            pages.get(browser, "hold", "post", f"/performances/{perf.pk}/hold/",
                      {"csrfmiddlewaretoken": csrf, "zone": rng.choice(zones), "quantity": 2}, 302, counted)
            basket = pages.get(browser, "basket", "get", "/basket/", counted=counted).content.decode()
            form = {**dict(HIDDEN.findall(basket)), "name": "Shop Buyer", "card_token": token,
                    "email": f"shop-cpu-{time.time_ns()}@example.org"}
            paid = pages.get(browser, "checkout", "post", "/checkout/", form, 302, counted)
            if "/orders/" not in paid["Location"]:
                raise SystemExit(f"checkout: sent to {paid['Location']}, not the order")
            if counted:
                database += backend_cpu_seconds() - spent
                counted_orders += 1
        print(f"{args.orders} shop orders of two tickets, each page in a browser of its own:")
        web = pages.print(STEPS)
        postgres = database / counted_orders * 1000
        print(f"  a shop order: {web:.0f} ms of CPU in the web process, {postgres:.1f} ms in PostgreSQL "
              f"({web + postgres:.0f} ms in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
