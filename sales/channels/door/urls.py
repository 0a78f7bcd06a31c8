from django.urls import path

from . import views

app_name = "door"
urlpatterns = [
    path("", views.home, name="home"),
    path("service-worker.js", views.service_worker, name="service-worker"),
    path("performances/<int:pk>/", views.scan_page, name="scan-page"),
    path("performances/<int:pk>/scan/", views.scan, name="scan"),
    path("performances/<int:pk>/attendance/", views.attendance_now, name="attendance"),
]
