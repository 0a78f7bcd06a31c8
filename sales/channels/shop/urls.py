from django.urls import path

from . import draw_views, lottery_views, queue, views

app_name = "shop"
urlpatterns = [
    path("", views.event_list, name="events"),
    path("performances/<int:pk>/", views.performance_detail, name="performance"),
    path("performances/<int:pk>/queue/", queue.queue, name="queue"),
    path("performances/<int:pk>/draw/", draw_views.page, {"subject": "opening"}, name="draw"),
    path("performances/<int:pk>/draw/draw.json", draw_views.data, {"subject": "opening"}, name="draw-data"),
    path("performances/<int:pk>/draw/entries.txt", draw_views.entries, {"subject": "opening"}, name="draw-entries"),
    path("performances/<int:pk>/presale/", views.presale_code, name="presale-code"),
    path("performances/<int:pk>/seat-states/", views.seat_states, name="seat-states"),
    path("performances/<int:pk>/seats/", views.seat_section, name="seat-section"),
    path("performances/<int:pk>/hold/", views.hold, name="hold"),
    path("lottery/<int:pk>/", lottery_views.apply, name="ballot"),
    path("lottery/<int:pk>/draw/", draw_views.page, {"subject": "ballot"}, name="ballot-draw"),
    path("lottery/<int:pk>/draw/draw.json", draw_views.data, {"subject": "ballot"}, name="ballot-draw-data"),
    path("lottery/<int:pk>/draw/entries.txt", draw_views.entries, {"subject": "ballot"}, name="ballot-draw-entries"),
    path("lottery/pay/<str:token>/", lottery_views.pay, name="ballot-pay"),
    path("lottery/confirm/<str:token>/", lottery_views.confirm, name="ballot-confirm"),
    path("basket/", views.basket, name="basket"),
    path("basket/status/", views.basket_status, name="basket-status"),
    path("basket/release/", views.basket_release, name="basket-release"),
    path("basket/extend/", views.basket_extend, name="basket-extend"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/<str:code>/bank/", views.confirm_payment, name="confirm-payment"),
    path("payments/card-field/", views.card_field, name="card-field"),
    path("orders/find/", views.find_orders, name="find-orders"),
    path("orders/<str:code>/<str:token>/", views.order_detail, name="order"),
    path("orders/<str:code>/<str:token>/tickets.pdf", views.order_tickets_pdf, name="order-pdf"),
    path("orders/<str:code>/<str:token>/calendar.ics", views.order_calendar_file, name="order-calendar"),
    path("orders/<str:code>/<str:token>/resend/", views.order_resend, name="order-resend"),
    path("orders/<str:code>/<str:token>/pay/", views.order_pay, name="order-pay"),
]
