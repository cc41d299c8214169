"""The desk's own day: visitors, messages, parcels, keys, lost and found (desk_views); release
passes, decoration, the handover and the ledger (desk_more_views); the caller card."""

from frontdesk import caller_card, desk_more_views, desk_views

urlpatterns = desk_views.urlpatterns + desk_more_views.urlpatterns + caller_card.urlpatterns
