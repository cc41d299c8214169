"""Small helpers the test modules share: reading a response, a PDF or a record's timeline,
counting a page's queries, a signed-in browser, the JSON API."""

from io import BytesIO

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from frontdesk.models import Notification

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def text(response) -> str:
    """The page as text."""
    return response.content.decode()


def body(response) -> bytes:
    """The response's bytes, streamed or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def squeeze(value: str) -> str:
    """The text with all white space removed."""
    return "".join(value.split())


def pdf_text(content: bytes) -> tuple[int, str]:
    """The number of pages and the text a PDF reader finds in them, whitespace removed."""
    reader = PdfReader(BytesIO(content))
    return len(reader.pages), squeeze("".join(page.extract_text() for page in reader.pages))


def fresh(obj):
    """The record as the database has it now."""
    obj.refresh_from_db()
    return obj


def kinds(record) -> list[str]:
    """The kinds of a repair's or complaint's timeline events, in the timeline's order."""
    return list(record.events.values_list("kind", flat=True))


def notices(user, text=""):
    """The user's in-app notifications whose subject contains `text`."""
    return Notification.objects.filter(
        recipient_user=user, channel="in_app", subject__contains=text
    )


def browser(user) -> Client:
    """A new browser signed in as the user, speaking English (the default is Chinese)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def count_queries(client, url) -> tuple[int, object]:
    """The number of queries a page runs, and the page (which must answer 200)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def same_queries(client, small_url, large_url, django_assert_num_queries, **large_request):
    """The large page costs exactly the queries of the small one."""
    with CaptureQueriesContext(connection) as small:
        assert client.get(small_url).status_code == 200
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(large_url, **large_request)
    assert response.status_code == 200
    return response


def post_json(client, name, *args, **data):
    """POST `data` as JSON to the named route (`args` fill in its URL), asking for English."""
    return client.post(reverse(name, args=args), data, content_type="application/json", **EN)


def put_json(client, name, *args, **data):
    """PUT `data` as JSON to the named route (`args` fill in its URL), asking for English."""
    return client.put(reverse(name, args=args), data, content_type="application/json", **EN)
