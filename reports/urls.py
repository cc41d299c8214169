"""Supervisor dashboards and reports (dashboard, drill-downs, exports) and the daily review."""

from reports import review_views, views

urlpatterns = views.urlpatterns + review_views.urlpatterns
