"""Hostile and broken input, one named case at a time: always a 4xx and a page a person can read."""

import io
import logging

import pytest
from django.test import Client
from django.urls import reverse

from polls.models import Ballot
from polls.voter import COOKIE_NAME

from .factories import make_browser, make_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def question():
    return make_question(choices=("Yes", "No"))


@pytest.fixture
def browser():
    """Like `client`, but answering a server error with its 500 page instead of raising."""
    return Client(raise_request_exception=False, headers={"X-Forwarded-Proto": "https"})


def assert_human(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "text/html; charset=utf-8"
    text = response.content.decode()
    assert "<h1" in text
    assert "Traceback" not in text
    assert "Exception" not in text


def vote_url(question):
    return reverse("polls:vote", args=[question.pk])


def yes(question):
    return question.choices.get(choice_text="Yes").pk


# Addresses --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "poll_id",
    ["abc", "0", "-1", "1.5", "1e3", "0x10", "9223372036854775808", "9" * 40, "%00", "1%20", "١٢", "%ff"],
)
@pytest.mark.parametrize("page", ["", "vote/", "results/", "qr.svg"])
def test_non_numeric_zero_and_huge_ids_are_404_pages(browser, poll_id, page):
    assert_human(browser.get(f"/polls/{poll_id}/{page}"), 404)


@pytest.mark.parametrize(
    "path", ["/polls/1%00/", "/polls/" + "a" * 5000 + "/", "/%ff%fe/", "/polls/../admin/"]
)
def test_absurd_paths_are_404_pages(browser, path):
    assert_human(browser.get(path), 404)


@pytest.mark.parametrize(
    "page",
    [
        "0",
        "-1",
        "99999999999999999999999",
        "nan",
        "1e400",
        "%ff%fe",
        "1%00",
        "last",
        "a" * 3000,
        "²",
        "١٢",
        "+1",
    ],
)
@pytest.mark.parametrize("listing", ["polls:index", "polls:closed"])
def test_absurd_page_numbers_are_404_pages(browser, listing, page):
    assert_human(browser.get(f"{reverse(listing)}?page={page}"), 404)


@pytest.mark.parametrize("query", ["page=1&page=2", "%ff=%fe", "x=" + "y" * 8000, "&&&==&", "page"])
def test_odd_query_strings_on_the_list_do_no_harm(browser, query):
    response = browser.get(f"{reverse('polls:index')}?{query}")
    assert response.status_code in {200, 404}
    assert_human(response, response.status_code)


def test_a_foreign_host_header_is_a_400_page(browser):
    assert_human(browser.get(reverse("polls:index"), headers={"Host": "evil.example"}), 400)


def test_a_refused_request_is_logged_as_one_warning_line(browser):
    """Not Django's ERROR with a 20-30 line traceback: the client's mistake is not the site's fault."""
    handler = next(h for h in logging.getLogger("django.security").handlers if h.name == "security")
    written = io.StringIO()
    previous = handler.setStream(written)
    try:
        browser.get(reverse("polls:index"), headers={"Host": "evil.example"})
    finally:
        handler.setStream(previous)
    assert written.getvalue().splitlines() == [
        "WARNING django.security.DisallowedHost: Invalid HTTP_HOST header: 'evil.example'. "
        "You may need to add 'evil.example' to ALLOWED_HOSTS."
    ]


# Methods ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "TRACE", "PROPFIND", "FOO"])
@pytest.mark.parametrize("name", ["detail", "vote", "results", "qr"])
def test_methods_a_page_does_not_take_are_405_pages_that_say_what_it_takes(browser, question, method, name):
    response = browser.generic(method, reverse(f"polls:{name}", args=[question.pk]))
    assert_human(response, 405)
    assert response["Allow"]
    assert Ballot.objects.count() == 0


@pytest.mark.parametrize("name", ["detail", "results"])
def test_head_answers_like_get_without_a_body(browser, question, name):
    response = browser.head(reverse(f"polls:{name}", args=[question.pk]))
    assert response.status_code == 200
    assert response.content == b""


def test_a_post_to_the_health_check_is_a_405(browser):
    assert browser.post(reverse("health")).status_code == 405


def test_uptime_probes_may_ask_the_health_check_with_head(browser):
    response = browser.head(reverse("health"))
    assert response.status_code == 200
    assert response.content == b""


# Vote bodies ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", "application/x-www-form-urlencoded"),
        (b'{"choice": 1}', "application/json"),
        (b"choice=1", "text/plain"),
        (b"<choice>1</choice>", "application/xml"),
        (b"\xff\xfe\x00garbage", "multipart/form-data; boundary=a"),
        (b"xx", "multipart/form-data"),
        (b"choice=\xff\xfe&website=\xc3", "application/x-www-form-urlencoded"),
        (b"choice=1", "application/x-www-form-urlencoded; charset=utf-16"),
        (b"&".join(b"f%d=1" % i for i in range(1200)), "application/x-www-form-urlencoded"),
    ],
    ids=[
        "empty",
        "json",
        "text",
        "xml",
        "broken multipart",
        "no boundary",
        "invalid utf-8",
        "utf-16",
        "1200 fields",
    ],
)
def test_malformed_vote_bodies_are_400_pages_and_count_nothing(browser, question, body, content_type):
    assert_human(browser.generic("POST", vote_url(question), body, content_type=content_type), 400)
    assert Ballot.objects.count() == 0


def test_an_oversized_vote_body_is_a_413_page(browser, question):
    body = b"choice=1&website=" + b"x" * 3_000_000  # past DATA_UPLOAD_MAX_MEMORY_SIZE (256 kB)
    assert_human(browser.generic("POST", vote_url(question), body, "application/x-www-form-urlencoded"), 413)
    assert Ballot.objects.count() == 0


def test_the_honeypot_field_filled_in_is_a_400_that_counts_nothing(browser, question):
    response = browser.post(vote_url(question), {"choice": yes(question), "website": "http://spam.example"})
    assert_human(response, 400)
    assert "looks automated" in response.text
    assert Ballot.objects.count() == 0


def test_a_repeated_single_choice_field_with_a_stranger_is_refused(browser, question):
    other = make_question(choices=("A", "B")).choices.first().pk
    assert_human(browser.post(vote_url(question), {"choice": [yes(question), other]}), 400)
    assert Ballot.objects.count() == 0


# Ids a lenient parser would take for a choice's: each must be refused by the form, with its message.
@pytest.mark.parametrize(
    "value",
    [
        lambda yes: f"0{yes}",
        lambda yes: f" {yes}",
        lambda yes: f"{yes}.0",
        lambda yes: f"+{yes}",
        lambda yes: str(yes).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),
        lambda yes: "9" * 18,  # a bigint, but no such choice
        lambda yes: "9" * 19,  # past a bigint
        lambda yes: "",
        lambda yes: make_question().choices.first().pk,  # another question's
    ],
    ids=["leading zero", "space", "decimal", "plus", "arabic", "no such id", "huge", "empty", "stranger"],
)
def test_a_choice_value_the_form_refuses_is_refused_on_every_path(browser, question, value):
    response = browser.post(vote_url(question), {"choice": value(yes(question))})
    assert_human(response, 400)
    assert "Pick" in response.text
    assert Ballot.objects.count() == 0


def test_the_same_choice_twice_is_one_vote(browser, question):
    response = browser.post(vote_url(question), {"choice": [yes(question), yes(question)]})
    assert response.status_code == 302
    assert list(Ballot.objects.values_list("votes__choice__choice_text", flat=True)) == ["Yes"]
    question.refresh_from_db()
    assert question.voter_count == 1


# CSRF and cookies -------------------------------------------------------------------------------


def test_a_stale_csrf_token_is_a_403_page_and_counts_nothing(question):
    browser = make_browser(enforce_csrf_checks=True)
    browser.get(question.get_absolute_url())
    browser.cookies["csrftoken"] = "x" * 32  # the token in the form no longer matches
    response = browser.post(
        vote_url(question),
        {"choice": yes(question), "csrfmiddlewaretoken": "y" * 32},
        headers={"Referer": "https://testserver" + question.get_absolute_url()},
    )
    assert_human(response, 403)
    assert "Your vote was <strong>not</strong> counted." in response.text
    assert Ballot.objects.count() == 0


def test_a_vote_from_another_site_is_a_403_page(question):
    browser = make_browser(enforce_csrf_checks=True)
    browser.get(question.get_absolute_url())
    response = browser.post(
        vote_url(question),
        {"choice": yes(question), "csrfmiddlewaretoken": browser.cookies["csrftoken"].value},
        headers={"Referer": "https://evil.example/"},
    )
    assert_human(response, 403)
    assert Ballot.objects.count() == 0


@pytest.mark.parametrize(
    "cookie",
    [
        f"{COOKIE_NAME}=\xff\x00",
        f"{COOKIE_NAME}=not-a-uuid:1xWBNY:forged",
        'messages="W1siX19qc29uX21lc3NhZ2UiXV0:1:bad"',
        "messages=" + "A" * 4000,
        "csrftoken=<script>alert(1)</script>",
        "sessionid=../../etc/passwd",
        "=; ==; ;;; a=b=c",
    ],
)
def test_tampered_cookies_are_ignored(browser, question, cookie):
    response = browser.get(question.get_absolute_url(), headers={"Cookie": cookie})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    voted = browser.post(vote_url(question), {"choice": yes(question)}, headers={"Cookie": cookie})
    assert voted.status_code == 302
    assert Ballot.objects.count() == 1


# Text from editors ------------------------------------------------------------------------------

HOSTILE_TEXT = '<script>alert("q")</script><img src=x onerror=alert(1)>"\'&'


def test_html_and_script_in_question_and_choice_text_are_escaped_everywhere(client, editor):
    question = make_question(question_text=HOSTILE_TEXT, choices=(HOSTILE_TEXT, "Ünïcødé ✓ 🗳️ مرحبا"))
    client.post(vote_url(question), {"choice": question.choices.get(position=0).pk})
    pages = [
        client.get(reverse("polls:index")),
        client.get(question.get_absolute_url()),
        client.get(reverse("polls:results", args=[question.pk])),
        editor.get(reverse("admin:polls_question_changelist")),
        editor.get(reverse("admin:polls_question_change", args=[question.pk])),
    ]
    for page in pages:
        assert page.status_code == 200
        assert "<script>alert" not in page.text
        assert "<img src=x" not in page.text
        assert "&lt;script&gt;alert" in page.text
    assert "Ünïcødé ✓ 🗳️ مرحبا" in pages[1].text


# Admin sign-in ----------------------------------------------------------------------------------


@pytest.fixture
def fast_hashing(settings):
    # The real hasher costs a fraction of a second per try by design; these tests are about input.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"username": "a" * 100_000, "password": "b"},
        {"username": "\x00", "password": "\x00"},
        {"username": ["a", "b"], "password": ["c", "d"]},
        {"username": "admin' OR '1'='1", "password": "' OR 1=1 --"},
    ],
    ids=["empty", "huge username", "NUL", "repeated", "SQL"],
)
def test_malformed_admin_sign_ins_get_the_form_again(browser, data, fast_hashing):
    response = browser.post(reverse("admin:login"), data)
    assert response.status_code == 200
    assert "Traceback" not in response.text
    assert "_auth_user_id" not in browser.session


def test_an_admin_sign_in_never_redirects_to_another_site(browser, django_user_model, fast_hashing):
    django_user_model.objects.create_superuser("boss", "boss@example.com", "a-long-correct-password")
    response = browser.post(
        reverse("admin:login") + "?next=https://evil.example/",
        {"username": "boss", "password": "a-long-correct-password", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")  # not Django's /accounts/profile/, a 404
    assert browser.get(response["Location"]).status_code == 200
