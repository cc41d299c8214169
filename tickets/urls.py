"""The desk's pages, the engineer's phone pages, the resident portal's repair pages, and the
access-checked photos and signatures."""

from tickets import engineer, media, portal, views

urlpatterns = views.urlpatterns + engineer.urlpatterns + portal.urlpatterns + media.urlpatterns
