"""The desk's pages, the engineer's phone pages, the resident portal's repair pages, and the
access-checked photos and signatures; then the complaint pages, register, letters and portal."""

from tickets import (
    complaint_letter,
    complaint_register,
    complaint_views,
    engineer,
    media,
    portal,
    portal_complaints,
    views,
)

urlpatterns = (
    views.urlpatterns
    + engineer.urlpatterns
    + portal.urlpatterns
    + media.urlpatterns
    + complaint_register.urlpatterns
    + complaint_views.urlpatterns
    + complaint_letter.urlpatterns
    + portal_complaints.urlpatterns
)
