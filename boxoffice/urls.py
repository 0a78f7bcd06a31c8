from django.contrib import admin
from django.urls import include, path

from sales import views as sales_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", sales_views.healthz, name="healthz"),
    path("", include("sales.urls")),
]
