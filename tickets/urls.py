"""The repair pages (the desk's, the engineer's phone pages, the resident portal's, the
access-checked photos and signatures), then the complaint pages, register, written replies
and portal."""

from tickets.complaints import portal as complaints_portal
from tickets.complaints import register, written_reply_views
from tickets.complaints import views as complaints_views
from tickets.repairs import engineer, media, portal, views

urlpatterns = (
    views.urlpatterns
    + engineer.urlpatterns
    + portal.urlpatterns
    + media.urlpatterns
    + register.urlpatterns
    + complaints_views.urlpatterns
    + written_reply_views.urlpatterns
    + complaints_portal.urlpatterns
)
