"""The desk's own day: its registers (visitors, messages, parcels, keys, lost and found),
release passes and decoration, the shift handover and the ledger, the resident portal's day,
the caller card and the resident card."""

from frontdesk.desk import (
    caller_card,
    permits_views,
    portal_views,
    registers_views,
    resident_card,
    shift_views,
)

urlpatterns = (
    registers_views.urlpatterns
    + permits_views.urlpatterns
    + shift_views.urlpatterns
    + portal_views.urlpatterns
    + caller_card.urlpatterns
    + resident_card.urlpatterns
)
