from django.urls import path

from . import views

urlpatterns = [
    path("", views.ApiRoot.as_view(), name="api-root"),
    path("holds/", views.HoldCreate.as_view(), name="api-holds"),  # the sell-out's two, matched first
    path("orders/", views.OrderCreate.as_view(), name="api-orders"),
    path("events/", views.EventList.as_view(), name="api-events"),
    path("performances/", views.PerformanceList.as_view(), name="api-performances"),
    path("performances/<int:pk>/", views.PerformanceDetail.as_view(), name="api-performance"),
    path("performances/<int:pk>/seatmap/", views.SeatMap.as_view(), name="api-seatmap"),
    path("performances/<int:pk>/put-on-sale/", views.PutOnSale.as_view(), name="api-put-on-sale"),
    path("performances/<int:pk>/block/", views.Block.as_view(), name="api-block"),
    path("performances/<int:pk>/allocate/", views.Allocate.as_view(), name="api-allocate"),
    path("venues/<int:pk>/seating-plan/", views.SeatingPlanImport.as_view(), name="api-seating-plan"),
    path("holds/<str:token>/", views.HoldDetail.as_view(), name="api-hold"),
    path("holds/<str:token>/quote/", views.HoldQuote.as_view(), name="api-hold-quote"),
    path("orders/<str:code>/", views.OrderDetail.as_view(), name="api-order"),
    path("orders/<str:code>/pay/", views.OrderPay.as_view(), name="api-order-pay"),
    path("orders/<str:code>/confirm-payment/", views.OrderConfirmPayment.as_view(), name="api-order-confirm-payment"),
    path("orders/<str:code>/refund/", views.OrderRefund.as_view(), name="api-order-refund"),
    path("orders/<str:code>/cancel/", views.OrderCancel.as_view(), name="api-order-cancel"),
    path("orders/<str:code>/resend-confirmation/", views.OrderResend.as_view(), name="api-order-resend"),
    path("orders/<str:code>/payment-link/", views.OrderPaymentLink.as_view(), name="api-order-payment-link"),
    path("tickets/<str:code>/", views.TicketDetail.as_view(), name="api-ticket"),
    path("tickets/<str:code>/check-in/", views.TicketCheckIn.as_view(), name="api-ticket-check-in"),
]
