from django.db import migrations

# A void ticket was refunded, not exchanged, when its place went back on sale for its order
# (the first return, or withdrawal from a cancelled performance, since the ticket was sold)
# and no ticket of the order was sold at that same moment: an exchange returns the old
# places and sells the new ones with one timestamp (sales.orders.order_exchange), a refund
# sells nothing. The door reads a void ticket the same way (sales.tickets._voided). The
# refund's moment is the return's, which is what a refund now writes (inventory.return_to_sale).
REFUNDED_WHEN = """
    UPDATE sales_ticket ticket SET refunded_at = voided.at
    FROM (SELECT t.id, t.order_id,
                 (SELECT e.at FROM sales_placeevent e
                  WHERE e.place_id = t.place_id AND e.order_id = t.order_id
                    AND e.action IN ('return', 'withdraw') AND e.at >= t.created_at
                  ORDER BY e.at, e.id LIMIT 1) AS at
          FROM sales_ticket t WHERE t.status = 'void' AND t.refunded_at IS NULL) voided
    WHERE ticket.id = voided.id AND voided.at IS NOT NULL
      AND NOT EXISTS (SELECT FROM sales_ticket sold
                      WHERE sold.order_id = voided.order_id AND sold.created_at = voided.at)"""


def refunded_when(apps, schema_editor):
    """Tickets refunded before Ticket.refunded_at was kept get it from their place's trail;
    a ticket exchanged away stays without it."""
    schema_editor.execute(REFUNDED_WHEN)


class Migration(migrations.Migration):

    dependencies = [
        ('sales', '0044_ticket_refunded_at'),
    ]

    operations = [
        migrations.RunPython(refunded_when, migrations.RunPython.noop, elidable=True),
    ]
