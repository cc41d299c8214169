"""The desk's pages, the engineer's phone pages and the resident portal's repair pages."""

from tickets import engineer, portal, views

urlpatterns = views.urlpatterns + engineer.urlpatterns + portal.urlpatterns
