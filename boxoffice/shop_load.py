"""Times the buyers' requests in the public pool and reads the shop's mode
(sales.shop_mode): `request.shop_mode` tells the shop whether to run light. Staff
requests are neither timed nor ever made light."""

import time

from sales import shop_mode

from .pools import SHARED_PREFIXES, is_staff_request


class ShopLoadMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.serves_shop = shop_mode.serves_shop()

    def __call__(self, request):
        if not self.serves_shop or request.path.startswith(SHARED_PREFIXES) or is_staff_request(request):
            request.shop_mode = shop_mode.Mode(light=False)
            return self.get_response(request)
        request.shop_mode = shop_mode.current()
        t0 = time.perf_counter()
        try:
            response = self.get_response(request)
        except Exception:
            shop_mode.record((time.perf_counter() - t0) * 1000, error=True)
            raise
        shop_mode.record((time.perf_counter() - t0) * 1000, error=response.status_code >= 500)
        return response
