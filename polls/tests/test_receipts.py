"""Receipts (issue 24): the code a voter keeps for their ballot, and /polls/<id>/receipt/ that checks one."""

import datetime
import hashlib
import re
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from polls import editing
from polls.models import Ballot, Question
from polls.receipts import ballot_tracker, normalized, receipt_code, receipt_for, tracker
from polls.voter import COOKIE_NAME, remember_voter
from polls.voting import cast_vote

from .factories import make_browser, make_question, make_voter

pytestmark = pytest.mark.django_db

# Crockford's base32 (no I, L, O, U), 20 characters in five groups of four.
RECEIPT = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){4}")
COUNTED = "This ballot is counted; it holds:"


class _Elements(HTMLParser):
    """Every start tag's attributes, and the text of each element marked data-receipt."""

    def __init__(self):
        super().__init__()
        self.tags, self.receipts, self._receipt_tag = [], [], None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if "data-receipt" in attributes:
            self._receipt_tag = tag
            self.receipts.append("")

    def handle_endtag(self, tag):
        if tag == self._receipt_tag:
            self._receipt_tag = None

    def handle_data(self, data):
        if self._receipt_tag is not None:
            self.receipts[-1] += data


def parsed(html):
    elements = _Elements()
    elements.feed(html)
    elements.close()
    return elements


def receipts_in(html):
    """The text of every element with the data-receipt attribute, exactly as the page holds it."""
    return parsed(html).receipts


def receipt_url(question, receipt=None):
    url = reverse("polls:receipt", args=[question.pk])
    return url if receipt is None else f"{url}?receipt={receipt}"


def results_url(question):
    return reverse("polls:results", args=[question.pk])


def vote(client, question, *texts):
    """Vote like the poll's form does; return the page the vote leads to."""
    picked = [question.choices.get(choice_text=text).pk for text in texts]
    response = client.post(reverse("polls:vote", args=[question.pk]), {"choice": picked}, follow=True)
    assert response.status_code == 200
    return response


def shown_receipt(client, question):
    """The one receipt the poll's page shows this browser."""
    [receipt] = receipts_in(client.get(question.get_absolute_url()).text)
    return receipt


def voter_with_receipt(question, wanted):
    """A voter whose receipt on the question holds every character of `wanted` (a few tries, at random)."""
    while True:
        voter = make_voter()
        if set(wanted) <= set(receipt_code(voter, question.pk)):
            return voter


def cookie_for(voter):
    """The voter cookie this site signs for `voter` under the keys set now."""
    response = HttpResponse()
    remember_voter(response, voter)
    return response.cookies[COOKIE_NAME].value


# What a voter is shown ---------------------------------------------------------------------------


def test_a_voter_is_shown_a_grouped_receipt_after_voting_and_again_on_the_poll_page():
    question = make_question()
    client = make_browser()
    voted = vote(client, question, "Yes")
    assert voted.redirect_chain[-1][0].startswith(results_url(question))
    [receipt] = receipts_in(voted.text)
    assert RECEIPT.fullmatch(receipt), receipt
    assert "Your receipt" in voted.text
    assert "Copy receipt" in voted.text  # the copy button's label, for share.js
    assert "Keep this receipt to check that your ballot is counted as you cast it" in voted.text

    ballot = Ballot.objects.get()
    assert receipt == receipt_code(ballot.voter, question.pk)
    # Later, on any page of the poll, while the browser keeps its cookie.
    assert shown_receipt(client, question) == receipt
    assert receipts_in(client.get(results_url(question)).text) == [receipt]


def test_a_visitor_without_a_ballot_on_the_poll_is_shown_no_receipt():
    question, elsewhere = make_question(), make_question(question_text="Another poll?")
    stranger = make_browser()
    voted_elsewhere = make_browser()
    vote(voted_elsewhere, elsewhere, "No")  # a voter cookie, but no ballot on this poll
    for client in (stranger, voted_elsewhere):
        for url in (question.get_absolute_url(), results_url(question)):
            html = client.get(url).text
            assert receipts_in(html) == [], url
            assert "Your receipt" not in html


def test_a_closed_poll_still_shows_its_voter_the_receipt():
    question = make_question()
    client = make_browser()
    [receipt] = receipts_in(vote(client, question, "Yes").text)
    editing.close_now(Question.objects.filter(pk=question.pk))
    assert shown_receipt(client, question) == receipt
    assert receipts_in(client.get(results_url(question)).text) == [receipt]


def test_every_voter_gets_a_receipt_and_a_tracker_of_their_own():
    question = make_question(choices=("A", "B", "C"))
    choices = list(question.choices.all())
    voters = [make_voter() for _ in range(50)]
    for i, voter in enumerate(voters):
        cast_vote(question=question, choices=[choices[i % 3]], voter=voter)
    trackers = dict(Ballot.objects.filter(question=question).values_list("voter", "tracker"))
    receipts = [receipt_for(voter, question.pk, trackers[voter]) for voter in voters]
    assert all(receipt is not None and RECEIPT.fullmatch(receipt) for receipt in receipts), receipts
    assert len(set(receipts)) == 50
    assert len(set(trackers.values())) == 50
    # A voter's receipt is the poll's own: the same voter on another poll holds another one.
    other = make_question(question_text="Another poll?")
    cast_vote(question=other, choices=[other.choices.first()], voter=voters[0])
    other_tracker = Ballot.objects.get(question=other).tracker
    assert receipt_for(voters[0], other.pk, other_tracker) not in receipts
    assert other_tracker not in trackers.values()


def test_browsers_are_shown_their_own_receipts():
    question = make_question()
    first, second = make_browser(), make_browser()
    vote(first, question, "Yes")
    vote(second, question, "Yes")
    assert shown_receipt(first, question) != shown_receipt(second, question)


@pytest.mark.parametrize(
    ("first", "then"),
    [(("Yes",), ("No",)), (("Red", "Green"), ("Green", "Blue"))],
    ids=["one choice", "multiple choice"],
)
def test_a_changed_vote_keeps_its_receipt_and_the_receipt_then_shows_the_new_choices(first, then):
    texts = ("Yes", "No") if len(first) == 1 else ("Red", "Green", "Blue")
    question = make_question(choices=texts, max_choices=len(first))
    client = make_browser()
    [receipt] = receipts_in(vote(client, question, *first).text)
    tracked = Ballot.objects.get().tracker

    changed = vote(client, question, *then)
    assert "Your vote was changed" in changed.text
    assert receipts_in(changed.text) == [receipt]
    assert shown_receipt(client, question) == receipt
    assert Ballot.objects.get().tracker == tracked

    looked_up = client.get(receipt_url(question, receipt))
    assert looked_up.status_code == 200
    assert held_in(looked_up.text) == list(then)


def held_in(html):
    """The choices a receipt's page says the ballot holds, in the order it names them."""
    [verdict] = re.findall(rf"{COUNTED} (.*?)\.</p>", html)
    return re.findall(r'<strong dir="auto">(.*?)</strong>', verdict)


# What the database keeps --------------------------------------------------------------------------


def test_the_database_keeps_the_receipts_tracker_and_never_the_receipt():
    question = make_question()
    client = make_browser()
    [receipt] = receipts_in(vote(client, question, "Yes").text)
    assert Ballot.objects.get().tracker == hashlib.sha256(receipt.encode()).hexdigest()

    # Nowhere in any row of any table, in any of the spellings a lookup accepts.
    spellings = {receipt, receipt.replace("-", ""), receipt.lower(), receipt.replace("-", "").lower()}
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608  (table names)
            for row in cursor.fetchall():
                text = " ".join(map(str, row))
                found += [(table, row) for spelling in spellings if spelling in text]
    assert found == []


def test_the_tracker_is_the_sha256_of_the_receipt_as_shown():
    voter = make_voter()
    receipt = receipt_code(voter, 7)
    assert tracker(receipt) == hashlib.sha256(receipt.encode("ascii")).hexdigest()
    assert ballot_tracker(voter, 7) == tracker(receipt)
    assert re.fullmatch(r"[0-9a-f]{64}", tracker(receipt))
    assert receipt_code(voter, 7) == receipt  # derived, so the same on every request and server
    assert receipt_code(voter, 8) != receipt


# Looking a receipt up ------------------------------------------------------------------------------


@pytest.fixture
def question():
    return make_question(question_text="Tea or coffee?", choices=("Tea", "Coffee", "Water"), max_choices=2)


@pytest.fixture
def held_receipt(question):
    """The receipt of a ballot for Tea and Water, spelt with at least one 0 and one 1 in it."""
    voter = voter_with_receipt(question, "01")
    tea, _, water = question.choices.all()
    cast_vote(question=question, choices=[tea, water], voter=voter)
    return receipt_code(voter, question.pk)


def test_a_receipt_shows_what_its_ballot_holds(client, question, held_receipt):
    response = client.get(receipt_url(question, held_receipt))
    assert response.status_code == 200
    assert (
        f'{COUNTED} <strong dir="auto">Tea</strong> and <strong dir="auto">Water</strong>.' in response.text
    )
    assert receipts_in(response.text) == [held_receipt]
    assert f'<code class="tracker">{tracker(held_receipt)}</code>' in response.text
    assert "Coffee</strong>" not in response.text


@pytest.mark.parametrize(
    "spelling",
    [
        pytest.param(str.lower, id="lower case"),
        pytest.param(lambda code: code.replace("-", ""), id="without hyphens"),
        pytest.param(lambda code: code.replace("-", " "), id="spaces for hyphens"),
        pytest.param(lambda code: f"  {code}\t", id="surrounding blanks"),
        pytest.param(lambda code: code.replace("0", "O").replace("1", "I"), id="O and I for 0 and 1"),
        pytest.param(lambda code: code.replace("0", "o").replace("1", "l").lower(), id="o and l, lower"),
    ],
)
def test_a_receipt_is_found_however_it_is_typed(client, question, held_receipt, spelling):
    typed = spelling(held_receipt)
    assert typed != held_receipt
    response = client.get(receipt_url(question), {"receipt": typed})
    assert response.status_code == 200
    assert receipts_in(response.text) == [held_receipt]  # shown as it was given, grouped
    assert held_in(response.text) == ["Tea", "Water"]


def test_an_unknown_receipt_gets_a_friendly_404(client, question, held_receipt):
    unknown = receipt_code(make_voter(), question.pk)  # well formed, but no ballot has it
    response = client.get(receipt_url(question, unknown))
    assert response.status_code == 404
    assert f"No ballot of this poll has the receipt {unknown}." in response.text
    assert COUNTED not in response.text
    assert 'name="receipt"' in response.text  # a form to try again
    assert response["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize(
    "typed",
    [
        "hello",
        "K7QM-2XWD-9RTF-PH4C",  # 16 characters
        "K7QM-2XWD-9RTF-PH4C-8NVB-X",  # 21
        "K7QM-2XWD-9RTF-PH4C-8NVU",  # U is no Crockford digit
        "K7QM-2XWD-9RTF-PH4C-8NV!",
        "<script>alert(1)</script>",
        "\x00" * 20,
    ],
)
def test_a_malformed_receipt_gets_a_404_saying_what_a_receipt_looks_like(client, question, typed):
    response = client.get(receipt_url(question), {"receipt": typed})
    assert response.status_code == 404
    assert "is not a receipt: a receipt has 20 letters and digits in groups of four." in response.text
    assert "<script>alert" not in response.text


def test_a_receipt_of_one_poll_finds_nothing_on_another(client, question, held_receipt):
    other = make_question(question_text="Another poll?", choices=("Tea", "Coffee", "Water"), max_choices=2)
    assert client.get(receipt_url(question, held_receipt)).status_code == 200
    response = client.get(receipt_url(other, held_receipt))
    assert response.status_code == 404
    assert COUNTED not in response.text


@pytest.mark.parametrize("query", ["", "?receipt=", "?receipt=%20%20"])
def test_without_a_receipt_the_page_is_the_form(client, question, query):
    response = client.get(receipt_url(question) + query)
    assert response.status_code == 200
    html = response.text
    assert 'name="receipt"' in html
    assert COUNTED not in html
    assert "No ballot of this poll" not in html
    assert "is not a receipt" not in html
    assert "What a receipt proves" in html
    assert "What it does not prove" in html


def test_a_receipt_of_a_closed_poll_or_one_without_a_public_list_still_answers(
    client, question, held_receipt
):
    Question.objects.filter(pk=question.pk).update(publish_ballots=False)
    assert client.get(receipt_url(question, held_receipt)).status_code == 200
    editing.close_now(Question.objects.filter(pk=question.pk))
    assert client.get(receipt_url(question, held_receipt)).status_code == 200


def test_only_a_published_poll_answers_receipts(client):
    now = timezone.now()
    scheduled = make_question(pub_date=now + datetime.timedelta(days=1))
    draft = make_question(pub_date=None)
    lonely = make_question(choices=("Only one",))
    for question in (scheduled, draft, lonely):
        code = receipt_code(make_voter(), question.pk)
        assert client.get(receipt_url(question, code)).status_code == 404
        assert client.get(receipt_url(question)).status_code == 404
    assert client.get(reverse("polls:receipt", args=[2**40])).status_code == 404


@pytest.mark.parametrize("found", [True, False], ids=["counted", "unknown"])
def test_the_receipt_page_is_kept_by_no_cache_search_engine_or_referrer(
    client, question, held_receipt, found
):
    code = held_receipt if found else receipt_code(make_voter(), question.pk)
    response = client.get(receipt_url(question, code))
    assert response.status_code == (200 if found else 404)
    assert set(response["Cache-Control"].split(", ")) == {"private", "no-store"}
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Referrer-Policy"] == "no-referrer"
    assert '<meta name="robots" content="noindex">' in response.text


def test_the_receipt_page_answers_get_and_head_only(client, question, held_receipt):
    assert client.head(receipt_url(question, held_receipt)).status_code == 200
    for method in (client.post, client.put, client.delete):
        assert method(receipt_url(question, held_receipt)).status_code == 405


@pytest.mark.parametrize("ballots", [1, 30])
def test_a_lookup_costs_two_queries_however_many_ballots(
    client, question, held_receipt, ballots, django_assert_max_num_queries
):
    # The question; the choices of the ballot with that tracker (one join, by the tracker's index).
    choices = list(question.choices.all())
    for i in range(ballots - 1):
        cast_vote(question=question, choices=[choices[i % 3]], voter=make_voter())
    with django_assert_max_num_queries(2):
        assert client.get(receipt_url(question, held_receipt)).status_code == 200
    with django_assert_max_num_queries(2):
        assert client.get(receipt_url(question, receipt_code(make_voter(), question.pk))).status_code == 404
    with django_assert_max_num_queries(1):  # a malformed receipt asks nothing of the ballots
        assert client.get(receipt_url(question, "hello")).status_code == 404


def test_the_poll_page_has_a_small_form_that_leads_to_the_lookup(client, question, held_receipt):
    before = client.get(question.get_absolute_url()).text
    vote(client, question, "Tea")
    after = client.get(question.get_absolute_url()).text
    editing.close_now(Question.objects.filter(pk=question.pk))
    closed = client.get(question.get_absolute_url()).text
    for html in (before, after, closed):
        tags = parsed(html).tags
        [form] = [attrs for tag, attrs in tags if tag == "form" and "receipt-check" in attrs.get("class", "")]
        assert form["action"] == receipt_url(question)
        assert form["method"] == "get"
        assert [attrs for tag, attrs in tags if tag == "input" and attrs.get("name") == "receipt"]
        assert "Check a receipt" in html
    # What the form sends: its action with the receipt typed into it.
    assert client.get(form["action"], {"receipt": held_receipt}).status_code == 200


def test_the_voters_receipt_links_to_its_lookup(client, question):
    [receipt] = receipts_in(vote(client, question, "Coffee").text)
    links = [attrs.get("href") for tag, attrs in parsed(client.get(results_url(question)).text).tags]
    assert receipt_url(question, receipt) in links


def test_typed_receipts_normalize_to_the_shown_spelling():
    assert normalized("k7qm 2xwd 9rtf ph4c 8nvb") == "K7QM-2XWD-9RTF-PH4C-8NVB"
    assert normalized("K7QM2XWD9RTFPH4C8NVB") == "K7QM-2XWD-9RTF-PH4C-8NVB"
    assert normalized("OIL0-0000-0000-0000-0000") == "0110-0000-0000-0000-0000"
    for typed in ("", "K7QM-2XWD-9RTF-PH4C", "K7QM-2XWD-9RTF-PH4C-8NVU", "K7QM_2XWD_9RTF_PH4C_8NVB"):
        assert normalized(typed) is None, typed


# Rotating the secret key ----------------------------------------------------------------------------


def test_a_ballot_cast_before_a_key_rotation_keeps_its_receipt_while_the_old_key_is_a_fallback(settings):
    question = make_question()
    client = make_browser()
    settings.SECRET_KEY = "old-key-" + "o" * 50
    [receipt] = receipts_in(vote(client, question, "Yes").text)

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "new-key-" + "n" * 50, [settings.SECRET_KEY]
    assert shown_receipt(client, question) == receipt  # the cookie is read under the old key too
    assert receipts_in(client.get(results_url(question)).text) == [receipt]
    assert client.get(receipt_url(question, receipt)).status_code == 200
    # A change of vote keeps that receipt: the ballot keeps its tracker.
    vote(client, question, "No")
    assert shown_receipt(client, question) == receipt


def test_without_the_old_key_a_ballot_from_before_the_rotation_shows_no_receipt_rather_than_a_wrong_one(
    settings,
):
    question = make_question()
    voter = make_voter()
    settings.SECRET_KEY = "old-key-" + "o" * 50
    cast_vote(question=question, choices=[question.choices.first()], voter=voter)
    old_receipt = receipt_code(voter, question.pk)

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "new-key-" + "n" * 50, []
    client = make_browser()
    client.cookies[COOKIE_NAME] = cookie_for(voter)  # signed under the new key: the voter is known
    for url in (question.get_absolute_url(), results_url(question)):
        html = client.get(url).text
        assert "You voted for" in html or "Your vote" in html, url  # the ballot is found ...
        assert receipts_in(html) == [], url  # ... but its receipt cannot be made, so none is shown
        assert receipt_code(voter, question.pk) not in html
    assert receipt_for(voter, question.pk, Ballot.objects.get().tracker) is None
    # The receipt the voter kept still finds the ballot: the tracker is stored, not derived.
    assert client.get(receipt_url(question, old_receipt)).status_code == 200


def test_a_ballot_cast_after_a_rotation_takes_its_receipt_from_the_new_key(settings):
    question = make_question()
    voter = make_voter()
    settings.SECRET_KEY_FALLBACKS = ["old-key-" + "o" * 50]
    cast_vote(question=question, choices=[question.choices.first()], voter=voter)
    assert Ballot.objects.get().tracker == tracker(receipt_code(voter, question.pk))
    assert Ballot.objects.get().tracker != tracker(
        receipt_code(voter, question.pk, secret=settings.SECRET_KEY_FALLBACKS[0])
    )


# Query counts with a receipt on the page ----------------------------------------------------------


@pytest.mark.parametrize("ballots", [3, 50])
@pytest.mark.parametrize("view", ["polls:detail", "polls:results"])
@pytest.mark.parametrize("rotated", [False, True], ids=["current key", "old key as a fallback"])
def test_a_page_showing_a_receipt_costs_what_it_did_without(
    settings, ballots, view, rotated, django_assert_max_num_queries
):
    # As test_query_counts allows: the question, the visitor's own ballot (choices and tracker in
    # one query), the choices. The receipt is derived, not read, under whichever key made it.
    question = make_question(choices=("A", "B", "C"))
    for _ in range(ballots - 1):
        cast_vote(question=question, choices=[question.choices.last()], voter=make_voter())
    client = make_browser()
    if rotated:
        settings.SECRET_KEY = "old-key-" + "o" * 50
    vote(client, question, "A")
    if rotated:
        settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "new-key-" + "n" * 50, [settings.SECRET_KEY]
    url = reverse(view, args=[question.pk])
    cache.clear()  # the page's fragments are rendered again, as on a first visit
    with django_assert_max_num_queries(3):
        response = client.get(url)
    assert response.status_code == 200
    assert len(receipts_in(response.text)) == 1
