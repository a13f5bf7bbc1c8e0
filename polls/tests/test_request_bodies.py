"""Bodies the site does not take (issue 21): files, bodies far past a form, forms in another charset."""

import pytest
from django.core.files.uploadhandler import FileUploadHandler
from django.urls import reverse

from polls.models import Ballot

from .factories import make_browser, make_question

pytestmark = pytest.mark.django_db

# Every header the site's own pages carry, which gunicorn's bare error page lacks.
SECURITY_HEADERS = ["Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"]
BOUNDARY = "polls-test-boundary"


@pytest.fixture
def question():
    return make_question(choices=("Yes", "No"))


@pytest.fixture
def browser():
    """A browser that read the form first: CSRF checks on, as in production, with its token."""
    client = make_browser(enforce_csrf_checks=True, raise_request_exception=False)
    client.get(reverse("admin:login"))
    return client


def post(browser, url, body, content_type):
    headers = {"Referer": "https://testserver/", "X-CSRFToken": browser.cookies["csrftoken"].value}
    return browser.generic("POST", url, body, content_type=content_type, headers=headers)


def multipart(fields, file_size):
    """A multipart form with `fields`, then a file part of `file_size` bytes."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="upload"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + b"x" * file_size
        + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def assert_site_page(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1" in response.text
    for header in SECURITY_HEADERS:
        assert header in response, header


class RecordingUploadHandler(FileUploadHandler):
    """Stands in for Django's handlers: records every byte of a file it would store."""

    received = []

    def receive_data_chunk(self, raw_data, start):
        self.received.append(len(raw_data))

    def file_complete(self, file_size):
        return None


@pytest.fixture
def recorded_uploads(settings):
    settings.FILE_UPLOAD_HANDLERS = [f"{__name__}.RecordingUploadHandler"]
    RecordingUploadHandler.received = []
    return RecordingUploadHandler.received


@pytest.mark.parametrize("where", ["vote", "admin login"])
def test_a_form_with_a_file_part_is_refused_before_the_file_is_stored(
    browser, question, recorded_uploads, where
):
    url = reverse("polls:vote", args=[question.pk]) if where == "vote" else reverse("admin:login")
    fields = {"choice": question.choices.first().pk, "username": "editor", "password": "x"}
    body = multipart(fields, file_size=200_000)  # under the body limit: the file part alone is refused
    response = post(browser, url, body, f"multipart/form-data; boundary={BOUNDARY}")
    assert_site_page(response, 400)
    assert recorded_uploads == []
    assert Ballot.objects.count() == 0


def test_a_multipart_vote_without_a_file_still_counts(browser, question):
    """Forms may come multipart (curl -F, a browser's enctype): only files are refused."""
    body = multipart({"choice": question.choices.first().pk}, file_size=0).rsplit(
        b"--" + BOUNDARY.encode(), 2
    )
    body = body[0] + f"--{BOUNDARY}--\r\n".encode()
    response = post(
        browser, reverse("polls:vote", args=[question.pk]), body, f"multipart/form-data; boundary={BOUNDARY}"
    )
    assert response.status_code == 302
    assert Ballot.objects.count() == 1


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data"])
def test_a_body_far_past_any_form_is_a_413_unread(browser, question, content_type):
    body = b"choice=1&website=" + b"x" * 1_000_000  # a megabyte: the largest form is a few kB
    if content_type.startswith("multipart"):
        content_type += f"; boundary={BOUNDARY}"
    response = post(browser, reverse("polls:vote", args=[question.pk]), body, content_type)
    assert_site_page(response, 413)
    assert Ballot.objects.count() == 0


@pytest.mark.parametrize("charset", ["utf-16", "utf-32", "latin-1"])
@pytest.mark.parametrize("where", ["vote", "admin login"])
def test_a_form_in_another_charset_is_a_400_with_the_site_page_and_headers(browser, question, charset, where):
    url = reverse("polls:vote", args=[question.pk]) if where == "vote" else reverse("admin:login")
    choice = question.choices.first().pk
    response = post(
        browser, url, f"choice={choice}".encode(), f"application/x-www-form-urlencoded; charset={charset}"
    )
    assert_site_page(response, 400)
    assert Ballot.objects.count() == 0
