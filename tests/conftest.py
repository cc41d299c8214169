"""Shared fixtures. Tests that need PostgreSQL or Redis skip with the reason when the service
is absent, and fail instead when REQUIRE_SERVICES=1 (CI on the machine that has them)."""

import os
import time

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import translation

from tests.factories import (
    MembershipFactory,
    PropertyFactory,
    ResidentFactory,
    UserFactory,
    portal_user_for,
)

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") in {"1", "true", "yes"}


def service_missing(reason: str) -> None:
    """Skip locally; with REQUIRE_SERVICES=1 a missing service fails the run."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def postgres(db):
    if connection.vendor != "postgresql":
        service_missing("needs PostgreSQL: set DATABASE_URL=postgres://...")
    return connection


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Production hashing costs ~0.3 s a password; the tests check behaviour, not the hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Services called directly speak English in tests; pages follow the request's language.
    with translation.override("en"):
        yield


@pytest.fixture
def sunshine(db):
    return PropertyFactory(name="阳光花园", code="sunshine")


@pytest.fixture
def elsewhere(db):
    """Another property: nothing of it may ever show to sunshine's people."""
    return PropertyFactory(name="翠湖大厦", code="cuihu")


def staff_at(property, role="clerk", **kwargs):
    user = UserFactory(**kwargs)
    MembershipFactory(user=user, property=property, role=role)
    return user


@pytest.fixture
def clerk(sunshine):
    return staff_at(sunshine, "clerk", username="clerk", first_name="王前台")


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client


@pytest.fixture
def desk(clerk_client):
    """The clerk's browser, in English (the default interface language is Chinese)."""
    clerk_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    clerk_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return clerk_client


@pytest.fixture
def engineering(sunshine):
    from tests.factories import DepartmentFactory

    return DepartmentFactory(property=sunshine, kind="engineering", name="工程部")


@pytest.fixture
def engineer(sunshine, engineering):
    user = UserFactory(username="engineer", first_name="陈师傅")
    MembershipFactory(user=user, property=sunshine, role="engineer", department=engineering)
    return user


@pytest.fixture
def supervisor(sunshine):
    return staff_at(
        sunshine, "supervisor", username="supervisor", first_name="张主管", email="boss@example.com"
    )


@pytest.fixture
def assistant(sunshine):
    return staff_at(sunshine, "assistant", username="assistant", first_name="李助理")


@pytest.fixture
def engineering_manager(sunshine, engineering):
    """The engineering department's manager: the first step of the complaint ladder."""
    user = UserFactory(username="engmanager", first_name="赵经理", email="eng@example.com")
    MembershipFactory(
        user=user, property=sunshine, role="department_manager", department=engineering
    )
    return user


@pytest.fixture
def project_manager(sunshine):
    """The project manager: the top of the complaint ladder."""
    return staff_at(
        sunshine, "project_manager", username="manager", first_name="钱项目", email="pm@example.com"
    )


@pytest.fixture
def foreign_resident(elsewhere):
    return ResidentFactory(property=elsewhere, name="外人", phones=["13800009999"])


# 林晓峰, the demo resident. Each module's tests see the same man; what its tests need of him
# (his unit, how his phone number was typed, a portal account) the module says by overriding
# `lin_fields` or `lin_account`, not by defining him again.

LIN_PHONE = "13812345678"


@pytest.fixture
def lin_fields():
    """ResidentFactory fields in which this module's 林晓峰 differs from the demo one (his
    `unit`, `phones`, `email`, ...). None given, he owns a unit of his own in building 1."""
    return {}


@pytest.fixture
def lin_account():
    """林晓峰's portal account, as UserFactory fields (a `username`; named after him unless
    `first_name` is given), or None: he has none."""
    return None


@pytest.fixture
def lin(sunshine, lin_fields, lin_account):
    """林晓峰, owner at sunshine, mobile 13812345678 (unless the module's `lin_fields` differ)."""
    fields = {"name": "林晓峰", "phones": [LIN_PHONE]} | lin_fields
    resident = ResidentFactory(property=sunshine, **fields)
    if lin_account is not None:
        portal_user_for(resident, **lin_account)
    return resident


@pytest.fixture
def lin_client(client, lin):
    """林晓峰 signed in to the portal (the module's `lin_account` gives him one), in English."""
    client.force_login(lin.user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files go to the test's own folder; a module that stores files uses it for every
    test (`pytestmark = pytest.mark.usefixtures("media")`)."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# Real Celery workers: the tests start one (celery.contrib.testing.worker.start_worker) on
# the configured broker and look for the effect in the database.


@pytest.fixture
def broker(tmp_path):
    """Point the app at the real broker; a Redis that does not answer is a missing service."""
    from frontdesk.celery import app

    saved = app.conf.broker_transport_options
    if django_settings.CELERY_BROKER_URL.startswith("filesystem://"):
        for folder in ("queue", "processed", "control"):
            (tmp_path / folder).mkdir()
        app.conf.broker_transport_options = {
            "data_folder_in": str(tmp_path / "queue"),
            "data_folder_out": str(tmp_path / "queue"),
            "processed_folder": str(tmp_path / "processed"),
            "control_folder": str(tmp_path / "control"),
        }
    else:
        try:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
        except Exception as exc:  # any failure to connect means "not there"
            service_missing(f"needs the broker at {django_settings.CELERY_BROKER_URL}: {exc}")
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge("celery")
    reset_connections()
    yield django_settings.CELERY_BROKER_URL.split("://")[0]
    app.conf.broker_transport_options = saved
    reset_connections()


def reset_connections():
    """Forget the app's pools so the next publish connects with the options set above
    (kombu keeps one pool per connection settings, so the old one stays usable)."""
    from frontdesk.celery import app

    app._pool = None
    app.amqp._producer_pool = None


def wait_for(condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False
