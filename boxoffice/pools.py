"""Worker pools. In production the load balancer sends the counter, the phone console,
the admin and staff API calls to the `staff` pool, the waiting room's page
(/performances/<pk>/queue/) to the `queue` pool, and everything else to `public`, so an
online crowd can take neither the staff's capacity nor the queue's (buyers' requests are
slow next to a queue poll). Each pool refuses the others' pages, so a misrouted request
fails loudly instead of quietly mixing them. The queue page itself is answered before
Django (sales.channels.shop.queue.fast_path); in the `queue` pool Django sees only
what is misrouted."""

import os

from django.conf import settings
from django.http import HttpResponseNotFound, JsonResponse

from boxoffice import background

STAFF_PREFIXES = ("/counter/", "/phone/", "/admin/", "/login/", "/logout/", "/staff/")
SHARED_PREFIXES = ("/static/", "/healthz", "/readyz", "/i18n/")


def is_staff_request(request) -> bool:
    return request.path.startswith(STAFF_PREFIXES) or (
        request.path.startswith("/api/") and "HTTP_AUTHORIZATION" in request.META)


class PoolMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.pool = settings.BOXOFFICE_POOL

    def __call__(self, request):
        if self.pool == "public" and request.path.startswith(STAFF_PREFIXES):
            return _misrouted(request, "Staff pages are served by the staff pool.")
        if self.pool == "staff" and not (is_staff_request(request) or request.path.startswith(SHARED_PREFIXES)):
            return _misrouted(request, "The public site is served by the public pool.")
        if self.pool == "queue" and not request.path.startswith(SHARED_PREFIXES):
            return _misrouted(request, "The queue pool serves the waiting room only.")
        return self.get_response(request)


def _misrouted(request, message: str):
    if request.path.startswith("/api/"):  # an API client reads the API's error shape
        return JsonResponse({"error": {"code": "wrong_pool", "message": message}}, status=404)
    return HttpResponseNotFound(message, content_type="text/plain; charset=utf-8")


def lower_database_priority(sender, connection, **kwargs) -> None:
    """On a single machine, a process's PostgreSQL backend runs at the process's own CPU
    priority, so that a crowd's (or the Celery worker's) database work yields to the
    staff's: the same niceness, the idle scheduling class and the background cgroup when
    the process runs in them (boxoffice.background). A process at normal priority, the
    staff pool's, changes nothing. (With PostgreSQL on its own host, or in a container
    whose process ids are not ours, this does nothing: the process of that id here must be
    a PostgreSQL backend, and the staff pool is protected by its own workers and
    connections.)"""
    if connection.vendor != "postgresql" or (
            os.getpriority(os.PRIO_PROCESS, 0) <= 0 and os.sched_getscheduler(0) != os.SCHED_IDLE):
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            if not cmdline.read().startswith(b"postgres"):
                return  # that id is another process here: PostgreSQL runs elsewhere
        if os.sched_getscheduler(0) == os.SCHED_IDLE:
            os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0))
        background.join(pid, background.current())
        os.setpriority(os.PRIO_PROCESS, pid, max(os.getpriority(os.PRIO_PROCESS, 0),
                                                 os.getpriority(os.PRIO_PROCESS, pid)))
    except Exception:  # noqa: BLE001 - another host or another user: leave it be
        return
