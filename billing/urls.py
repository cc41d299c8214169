"""Billing pages: payments and receipts, notices and their print batches, dunning, the
collection rate, imports, and the resident portal's fees."""

from billing import desk, import_views, portal, views

urlpatterns = views.urlpatterns + desk.urlpatterns + import_views.urlpatterns + portal.urlpatterns
