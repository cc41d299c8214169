"""The project's URLs plus the benchmark's minimal API view: the baseline that the API's cost
per row is measured against (same DRF stack, no rows)."""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from frontdesk.urls import urlpatterns as project_urlpatterns


class MinimalView(APIView):
    """Session or token authentication, IsAuthenticated and the user throttle, as every API
    view has them by default; no query beyond the ones authentication makes."""

    def get(self, _request):
        return Response({"next": None, "previous": None, "results": []})


urlpatterns = [
    path("bench/minimal/", MinimalView.as_view(), name="bench_minimal"),
    *project_urlpatterns,
]
