from django.urls import path

from . import views

app_name = "counter"
urlpatterns = [
    path("", views.home, name="home"),
    path("shift/open/", views.open_shift, name="open-shift"),
    path("shift/close/", views.close_shift, name="close-shift"),
    path("shift/<int:pk>/report/", views.shift_report, name="shift-report"),
    path("sale/", views.sale_new, name="sale-new"),
    path("performances/<int:pk>/map/", views.seat_map, name="map"),
    path("performances/<int:pk>/seat-states/", views.counter_seat_states, name="seat-states"),
    path("sale/<int:hold_id>/", views.sale, name="sale"),
    path("sale/<int:hold_id>/cancel/", views.sale_cancel, name="sale-cancel"),
    path("lookup/", views.lookup, name="lookup"),
    path("orders/<str:code>/", views.order, name="order"),
    path("orders/<str:code>/print/", views.order_print, name="order-print"),
    path("orders/<str:code>/tickets.pdf", views.order_pdf, name="order-pdf"),
    path("orders/<str:code>/refund/", views.order_refund_view, name="order-refund"),
    path("orders/<str:code>/refund/payback/", views.order_refund_payback, name="order-refund-payback"),
    path("orders/<str:code>/email/", views.order_email, name="order-email"),
    path("orders/<str:code>/pay/", views.order_pay, name="order-pay"),
    path("orders/<str:code>/exchange/", views.order_exchange_start, name="order-exchange-start"),
    path("orders/<str:code>/exchange/<int:hold_id>/", views.order_exchange_view, name="order-exchange"),
]
