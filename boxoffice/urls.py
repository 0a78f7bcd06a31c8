from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from sales import views as sales_views
from sales.api import views as api_views
from sales.api.webhooks import stripe_webhook
from sales.channels.staff import staff_home

urlpatterns = [
    # First: the API's hot endpoints are matched at every request of a sell-out.
    path("api/v1/", include("sales.api.urls")),
    path("admin/", admin.site.urls),
    path("healthz", sales_views.healthz, name="healthz"),
    path("favicon.ico", sales_views.favicon),
    path("payments/stripe/webhook/", stripe_webhook, name="stripe-webhook"),
    path("readyz", api_views.Ready.as_view(), name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("staff/", staff_home, name="staff-home"),
    path("counter/", include("sales.channels.counter.urls")),
    path("phone/", include("sales.channels.phone.urls")),
    path("door/", include("sales.channels.door.urls")),
    path("api/schema/", api_views.Schema.as_view(), name="api-schema"),
    path("api/docs/", api_views.Docs.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("sales.channels.shop.urls")),
]

handler400 = "sales.views.bad_request"
handler403 = "sales.views.permission_denied"
handler404 = "sales.views.not_found"
handler500 = "sales.views.server_error"
