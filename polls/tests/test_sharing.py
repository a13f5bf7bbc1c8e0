"""Every poll page offers its canonical URL, a QR code for it, a title and Open Graph tags."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from polls import sharing

from .factories import make_question

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["polls:detail", "polls:results"])
def test_poll_pages_offer_the_canonical_url_and_preview_tags(client, page):
    question = make_question(question_text="Tea or coffee?", choices=("Tea", "Coffee"))
    html = client.get(reverse(page, args=[question.pk])).text
    canonical = f"https://testserver/polls/{question.pk}/"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert f'<input id="share-url" class="share-url" type="url" value="{canonical}" readonly>' in html
    assert '<meta property="og:title" content="Tea or coffee?">' in html
    assert f'<meta property="og:url" content="{canonical}">' in html
    assert '<meta property="og:description" content="A poll: Tea / Coffee">' in html
    assert "Tea or coffee?" in html.split("<title>")[1].split("</title>")[0]
    assert f'src="{reverse("polls:qr", args=[question.pk])}"' in html


def test_the_qr_code_is_an_svg_drawn_on_the_server(client):
    question = make_question()
    response = client.get(reverse("polls:qr", args=[question.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "max-age=86400" in response["Cache-Control"]
    svg = ET.fromstring(response.content)
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert f"https://testserver/polls/{question.pk}/" in svg.findtext("{http://www.w3.org/2000/svg}title")
    assert b"style=" not in response.content  # nothing a strict CSP would block


def test_question_text_is_escaped_everywhere(client):
    question = make_question(question_text='<script>alert("x")</script>', choices=("<b>A</b>", "B"))
    for page in ("polls:detail", "polls:results"):
        html = client.get(reverse(page, args=[question.pk])).text
        assert "<script>" not in html
        assert "&lt;script&gt;" in html
        assert "<b>A</b>" not in html


def test_links_and_the_qr_code_use_the_configured_origin_not_the_host_header(client, settings):
    """A client's Host (here with a port) must not reach the kept page or the publicly cached QR code."""
    settings.POLLS_SITE_URL = "https://polls.example.com"
    question = make_question()
    canonical = f"https://polls.example.com/polls/{question.pk}/"
    headers = {"Host": "testserver:8443"}
    html = client.get(reverse("polls:detail", args=[question.pk]), headers=headers).text
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert f'value="{canonical}"' in html
    assert "8443" not in html
    svg = client.get(reverse("polls:qr", args=[question.pk]), headers=headers).content
    assert svg == sharing.qr_svg(canonical)


def test_without_a_configured_origin_links_follow_the_request(client, settings):
    settings.POLLS_SITE_URL = ""
    question = make_question()
    html = client.get(reverse("polls:detail", args=[question.pk])).text
    assert f'<link rel="canonical" href="https://testserver/polls/{question.pk}/">' in html
