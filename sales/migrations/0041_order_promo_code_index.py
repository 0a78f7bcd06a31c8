# An index built without locking the orders against writes: a box office may add it while
# selling.

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('sales', '0040_payment_cash_paid_back'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='order',
            index=models.Index(condition=models.Q(('promo_code__isnull', False)), fields=['promo_code'],
                               name='order_promo_code'),
        ),
    ]
