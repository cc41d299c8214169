from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token

from billing.api import CollectionRateViewSet, FeeNoticeViewSet, PaymentViewSet
from frontdesk import views
from frontdesk.api import router
from frontdesk.desk.callers_api import PhoneMessageViewSet, VisitorViewSet
from frontdesk.desk.custody_api import KeyViewSet, LostItemViewSet, ParcelViewSet
from frontdesk.desk.permits_api import DecorationViewSet, ReleasePassViewSet
from frontdesk.desk.shift_api import HandoverViewSet, LedgerViewSet
from frontdesk.forms import LoginForm
from reports.api import DashboardViewSet
from tickets.complaints.api import ComplaintViewSet
from tickets.repairs.api import RepairOrderViewSet

router.register("repairs", RepairOrderViewSet, basename="repair")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("fee-notices", FeeNoticeViewSet, basename="fee-notice")
router.register("payments", PaymentViewSet, basename="payment")
router.register("collection-rate", CollectionRateViewSet, basename="collection-rate")
router.register("visitors", VisitorViewSet, basename="visitor")
router.register("messages", PhoneMessageViewSet, basename="phone-message")
router.register("parcels", ParcelViewSet, basename="parcel")
router.register("keys", KeyViewSet, basename="key")
router.register("lost-items", LostItemViewSet, basename="lost-item")
router.register("release-passes", ReleasePassViewSet, basename="release-pass")
router.register("decorations", DecorationViewSet, basename="decoration")
router.register("handovers", HandoverViewSet, basename="handover")
router.register("ledgers", LedgerViewSet, basename="ledger")
router.register("dashboard", DashboardViewSet, basename="dashboard")

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("lookup/", views.lookup, name="lookup"),
    path("residents/new/", views.resident_new, name="resident_new"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/phones/", views.resident_phones, name="resident_phones"),
    path("residents/<int:pk>/invite/", views.resident_invite, name="resident_invite"),
    path("holidays/<int:property_id>/<int:year>/", views.holidays, name="holidays"),
    path("", include("tickets.urls")),
    path("", include("visits.urls")),
    path("", include("billing.urls")),
    path("", include("frontdesk.desk.urls")),
    path("", include("reports.urls")),
    path("portal/", views.portal, name="portal"),
    path("portal/activate/", views.portal_activate, name="portal_activate"),
    path("health/", views.health, name="health"),
    path("", include("frontdesk.notices")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/auth/token/", obtain_auth_token, name="api_token"),
    path("api/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("admin/", admin.site.urls),
]
