from django.urls import path

from . import views

app_name = "sales"
urlpatterns = [
    path("", views.home, name="home"),
    path("orders/<str:code>/<str:token>/", views.order_detail, name="order-detail"),
]
