"""The desk's own day: visitors, messages, parcels, keys, lost and found (desk_views); release
passes, decoration, the handover and the ledger (day_views); the caller card."""

from frontdesk.desk import caller_card, day_views, resident_card
from frontdesk.desk import views as desk_views

urlpatterns = (
    desk_views.urlpatterns
    + day_views.urlpatterns
    + caller_card.urlpatterns
    + resident_card.urlpatterns
)
