from django.urls import path

from . import views

app_name = "phone"
urlpatterns = [
    path("", views.home, name="home"),
    path("customers/new/", views.customer_create, name="customer-create"),
    path("customers/<int:pk>/", views.customer, name="customer"),
    path("customers/<int:pk>/notes/", views.note_add, name="note-add"),
    path("customers/<int:pk>/sale/", views.sale_new, name="sale-new"),
    path("customers/<int:pk>/performances/<int:perf_pk>/map/", views.seat_map, name="map"),
    path("performances/<int:pk>/seat-states/", views.phone_seat_states, name="seat-states"),
    path("customers/<int:pk>/sale/<int:hold_id>/", views.sale, name="sale"),
    path("customers/<int:pk>/sale/<int:hold_id>/extend/", views.sale_extend, name="sale-extend"),
    path("customers/<int:pk>/sale/<int:hold_id>/release/", views.sale_release, name="sale-release"),
    path("orders/<str:code>/", views.order, name="order"),
    path("orders/<str:code>/resend/", views.order_resend, name="order-resend"),
    path("orders/<str:code>/pay/", views.order_pay, name="order-pay"),
    path("orders/<str:code>/payment-link/", views.order_send_link, name="order-send-link"),
    path("orders/<str:code>/refund/", views.order_refund_view, name="order-refund"),
    path("orders/<str:code>/refund/payback/", views.order_refund_payback, name="order-refund-payback"),
    path("orders/<str:code>/exchange/", views.order_exchange_start, name="order-exchange-start"),
    path("orders/<str:code>/exchange/<int:hold_id>/", views.order_exchange_view, name="order-exchange"),
    path("orders/<str:code>/exchange/<int:hold_id>/release/", views.order_exchange_release,
         name="order-exchange-release"),
    path("card-field/", views.card_field, name="card-field"),
    path("orders/<str:code>/cancel/", views.order_cancel_view, name="order-cancel"),
]
