from django.utils import timezone

from frontdesk import policy


class PropertyTimezoneMiddleware:
    """Pages show times in the property's own zone; storage stays UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        prop = policy.home_property(request.user)
        if prop is not None:
            timezone.activate(prop.zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
