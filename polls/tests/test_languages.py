"""
Each page in the visitor's language (issue 23): chosen by Accept-Language or by the language cookie
that the switcher sets, said by <html lang> and Content-Language, with its plurals, numbers, dates
and quotation marks; editors' words shown as typed, in their own direction.
"""

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from polls.models import Choice, Question
from polls.voting import cast_vote

from .factories import ROUTER_HEADERS, make_browser, make_question, make_voter

pytestmark = pytest.mark.django_db

# For each language: words its pages must show, and how it counts one vote, two votes, one voter.
WORDS = {
    "en": {
        "list": "Open polls",
        "poll": "Share this poll",
        "button": ">Vote<",
        "results": "Results",
        "404": "There is no such page",
        "one vote": "1 vote<",
        "two votes": "2 votes<",
        "one voter": "1 voter\n",
        "two voters": "2 voters\n",
    },
    "fr": {
        "list": "Sondages ouverts",
        "poll": "Partager ce sondage",
        "button": ">Voter<",
        "results": "Résultats",
        "404": "Cette page n’existe pas",
        "one vote": "1 vote<",
        "two votes": "2 votes<",
        "one voter": "1 votant\n",
        "two voters": "2 votants\n",
    },
    "de": {
        "list": "Offene Umfragen",
        "poll": "Diese Umfrage teilen",
        "button": ">Abstimmen<",
        "results": "Ergebnisse",
        "404": "Diese Seite gibt es nicht",
        "one vote": "1 Stimme<",
        "two votes": "2 Stimmen<",
        "one voter": "1 Person hat abgestimmt\n",
        "two voters": "2 Personen haben abgestimmt\n",
    },
    "es": {
        "list": "Encuestas abiertas",
        "poll": "Compartir esta encuesta",
        "button": ">Votar<",
        "results": "Resultados",
        "404": "Esta página no existe",
        "one vote": "1 voto<",
        "two votes": "2 votos<",
        "one voter": "1 votante\n",
        "two voters": "2 votantes\n",
    },
}
LANGUAGES = list(WORDS)


@pytest.fixture
def polls():
    """A poll with one ballot and a poll with two."""
    one = make_question(question_text="Tea or coffee?", choices=("Tea", "Coffee"))
    two = make_question(question_text="Cats or dogs?", choices=("Cats", "Dogs"))
    for question, count in ((one, 1), (two, 2)):
        for _ in range(count):
            cast_vote(question=question, choices=[question.choices.first()], voter=make_voter())
    return one, two


def in_language(language, how):
    """A browser that asks for `language` by its Accept-Language, or by the switcher's cookie."""
    if how == "header":
        return Client(headers={**ROUTER_HEADERS, "Accept-Language": f"{language},en;q=0.5"})
    browser = make_browser()
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return browser


def assert_in_language(response, language):
    assert response["Content-Language"] == language
    assert f'<html lang="{language}">' in response.text
    assert "Accept-Language" in response["Vary"]


def caption(html):
    return re.search(r"<caption>(.*?)</caption>", html, re.DOTALL).group(1).strip() + "\n"


@pytest.mark.parametrize("how", ["header", "cookie"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_list_poll_results_and_error_pages_are_in_the_language(polls, language, how):
    one, two = polls
    browser, words = in_language(language, how), WORDS[language]
    listed = browser.get(reverse("polls:index"))
    assert_in_language(listed, language)
    assert words["list"] in listed.text
    assert words["one vote"] in listed.text
    assert words["two votes"] in listed.text
    poll = browser.get(one.get_absolute_url())
    assert_in_language(poll, language)
    assert words["poll"] in poll.text
    assert words["button"] in poll.text
    for question, count in ((one, "one voter"), (two, "two voters")):
        results = browser.get(reverse("polls:results", args=[question.pk]))
        assert_in_language(results, language)
        assert words["results"] in results.text
        assert caption(results.text) == words[count]
    missing = browser.get(reverse("polls:detail", args=[987654]))
    assert missing.status_code == 404
    assert_in_language(missing, language)
    assert words["404"] in missing.text


@pytest.mark.parametrize("how", ["header", "cookie"])
def test_the_error_pages_for_refused_requests_are_in_the_language(polls, how):
    one, _ = polls
    browser = in_language("fr", how)
    wrong_method = browser.get(reverse("polls:vote", args=[one.pk]))
    assert wrong_method.status_code == 405
    assert "Cette adresse n’accepte pas ce type de requête" in wrong_method.text
    refused = browser.post(reverse("polls:vote", args=[one.pk]), {})
    assert refused.status_code == 400
    assert "Faites un choix avant de voter." in refused.text
    bad_host = browser.get(reverse("polls:index"), headers={"host": "elsewhere.example"})
    assert bad_host.status_code == 400
    assert "Cette requête n’a pas pu être comprise" in bad_host.text
    closed = make_question(closes_at=timezone.now() - datetime.timedelta(minutes=1))
    Question.objects.filter(pk=closed.pk).update(pub_date=timezone.now() - datetime.timedelta(hours=1))
    too_late = browser.post(reverse("polls:vote", args=[closed.pk]), {"choice": closed.choices.first().pk})
    assert too_late.status_code == 403
    assert "Ce sondage est clos" in too_late.text
    assert '«\u00a0<span dir="auto">Is this a good question?</span>\u00a0»' in too_late.text


@pytest.mark.parametrize("how", ["header", "cookie"])
def test_the_rate_limit_page_is_in_the_language(polls, settings, how):
    one, _ = polls
    settings.POLLS_VOTE_RATE_LIMIT = 1
    browser = in_language("de", how)
    vote = {"choice": one.choices.first().pk}
    browser.post(reverse("polls:vote", args=[one.pk]), vote)
    limited = browser.post(reverse("polls:vote", args=[one.pk]), vote)
    assert limited.status_code == 429
    assert_in_language(limited, "de")
    assert "Zu viele Stimmen aus Ihrem Netzwerk" in limited.text
    assert re.search(r"Bitte versuchen Sie es in \d+ Sekunden? erneut\.", limited.text)


def test_a_vote_is_confirmed_in_the_language_with_its_quotation_marks(polls):
    one, _ = polls
    tea = one.choices.get(choice_text="Tea")
    coffee = one.choices.get(choice_text="Coffee")
    quoted = {
        "fr": ("«\u00a0", "\u00a0»", "Votre vote pour {} a été compté.", "Votre vote est passé de {} à {}."),
        "de": ("„", "“", "Ihre Stimme für {} wurde gezählt.", "Ihre Stimme wurde von {} zu {} geändert."),
        "es": ("«", "»", "Se ha contado tu voto por {}.", "Tu voto ha cambiado de {} a {}."),
    }
    for language, (opening, closing, counted, changed) in quoted.items():
        browser = in_language(language, "cookie")

        def name(text, opening=opening, closing=closing):
            return f'{opening}<span dir="auto">{text}</span>{closing}'

        first = browser.post(reverse("polls:vote", args=[one.pk]), {"choice": tea.pk}, follow=True)
        assert counted.format(name("Tea")) in first.text
        again = browser.post(reverse("polls:vote", args=[one.pk]), {"choice": coffee.pk}, follow=True)
        assert changed.format(name("Tea"), name("Coffee")) in again.text


def test_a_list_of_choices_is_joined_as_the_language_joins_it():
    question = make_question(choices=("Red", "Green", "Blue"), max_choices=3)
    browser = in_language("es", "cookie")
    picked = [choice.pk for choice in question.choices.all()]
    page = browser.post(reverse("polls:vote", args=[question.pk]), {"choice": picked}, follow=True)
    red, green, blue = (f'«<span dir="auto">{name}</span>»' for name in ("Red", "Green", "Blue"))
    assert f"Se ha contado tu voto por {red}, {green} y {blue}." in page.text


def test_the_switcher_keeps_the_language_in_a_cookie_and_never_in_a_session(polls):
    one, _ = polls
    browser = make_browser()
    page = browser.get(one.get_absolute_url())
    assert f'action="{reverse("set_language")}"' in page.text
    assert f'name="next" value="{one.get_absolute_url()}"' in page.text
    for code, name in settings.LANGUAGES:
        assert f'<option value="{code}" lang="{code}"' in page.text
        assert f">{name}</option>" in page.text
    chosen = browser.post(reverse("set_language"), {"language": "fr", "next": one.get_absolute_url()})
    assert chosen.status_code == 302
    assert chosen["Location"] == one.get_absolute_url()
    assert chosen.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert "Partager ce sondage" in browser.get(chosen["Location"]).text
    # Another browser holding only that cookie gets French too; nothing was kept on the server.
    fresh = make_browser()
    fresh.cookies[settings.LANGUAGE_COOKIE_NAME] = chosen.cookies[settings.LANGUAGE_COOKIE_NAME].value
    assert "Sondages ouverts" in fresh.get(reverse("polls:index")).text
    assert Session.objects.count() == 0
    # The cookie wins over the browser's own language, and the switcher shows the one in use.
    page = fresh.get(reverse("polls:index"), headers={"Accept-Language": "de"})
    assert_in_language(page, "fr")
    assert '<option value="fr" lang="fr" selected>' in page.text


def test_the_switcher_ignores_a_language_the_site_does_not_speak(polls):
    browser = make_browser()
    refused = browser.post(reverse("set_language"), {"language": "xx", "next": "/polls/"})
    assert refused.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in refused.cookies
    assert_in_language(browser.get(reverse("polls:index")), "en")
    unknown = Client(headers={**ROUTER_HEADERS, "Accept-Language": "xx, ja;q=0.8"})
    assert_in_language(unknown.get(reverse("polls:index")), "en")


def test_counts_percentages_and_dates_are_written_the_languages_way(settings):
    settings.TIME_ZONE = "UTC"
    closes = datetime.datetime(timezone.now().year + 2, 12, 24, 15, 30, tzinfo=datetime.UTC)
    question = make_question(question_text="Big poll?", choices=("Yes", "No"), closes_at=closes)
    # 1,234 ballots, as the vote counters would hold them (casting each would be slow).
    Question.objects.filter(pk=question.pk).update(voter_count=1234)
    Choice.objects.filter(question=question, choice_text="Yes").update(votes=1000)
    Choice.objects.filter(question=question, choice_text="No").update(votes=234)
    results = reverse("polls:results", args=[question.pk])
    year = closes.year
    expected = {
        "en": ("1,234 voters", "1,000", "81%", "19%", f"24 Dec {year}, 15:30 UTC"),
        "de": (
            "1.234 Personen haben abgestimmt",
            "1.000",
            "81\u00a0%",
            "19\u00a0%",
            f"24. Dezember {year}, 15:30 UTC",
        ),
        "fr": (
            "1\u00a0234 votants",
            "1\u00a0000",
            "81\u202f%",
            "19\u202f%",
            f"24 décembre {year} à 15:30 UTC",
        ),
        "es": (
            "1\u00a0234 votantes",
            "1\u00a0000",
            "81\u00a0%",
            "19\u00a0%",
            f"24 de diciembre de {year}, 15:30 UTC",
        ),
    }
    for language, (voters, votes, yes, no, date) in expected.items():
        html = in_language(language, "header").get(results).text
        assert voters in caption(html), language
        assert f'<td class="num">{votes}</td>' in html, language
        assert f'<td class="num">{yes}</td>' in html, language
        assert f'<td class="num">{no}</td>' in html, language
        assert f'Z">{date}</time>' in html, language
        # Numbers for machines stay plain: the bars' widths, the choices' ids.
        assert '<rect class="bar-fill" width="81"' in html, language
    listed = in_language("de", "header").get(reverse("polls:index")).text
    assert "1.234 Stimmen" in listed


def test_choice_ids_in_the_form_are_never_written_with_separators(settings):
    question = make_question()
    Choice.objects.create(question=question, choice_text="Maybe", id=123456)  # as on a busy site
    html = in_language("de", "header").get(question.get_absolute_url()).text
    assert 'value="123456" id="choice-123456"' in html


def test_editors_words_are_shown_as_typed_in_their_own_direction():
    question = make_question(question_text="ما رأيك؟", choices=("نعم", "לא"))
    voter = make_voter()
    cast_vote(question=question, choices=[question.choices.first()], voter=voter)
    browser = in_language("fr", "header")
    listed = browser.get(reverse("polls:index")).text
    assert f'<a href="{question.get_absolute_url()}" dir="auto">ما رأيك؟</a>' in listed
    poll = browser.get(question.get_absolute_url()).text
    assert '<h1 dir="auto">ما رأيك؟</h1>' in poll
    assert '" dir="auto">نعم</label>' in poll
    assert '" dir="auto">לא</label>' in poll
    results = browser.get(reverse("polls:results", args=[question.pk])).text
    assert '<span dir="auto">ما رأيك؟</span>' in results
    assert '<span class="choice-name" dir="auto">نعم</span>' in results


def test_the_embed_and_the_live_tally_follow_the_language(polls):
    one, _ = polls
    browser = in_language("es", "header")
    embed = browser.get(reverse("polls:embed", args=[one.pk]))
    assert_in_language(embed, "es")
    assert "Abrir la encuesta completa en Polls" in embed.text
    assert '<h1 dir="auto">Tea or coffee?</h1>' in embed.text
    english = in_language("en", "header").get(reverse("polls:live_tally", args=[one.pk]))
    assert "1 voter; leading: Tea." in english.text  # the cached fragment is English...
    live = browser.get(reverse("polls:live_tally", args=[one.pk]))
    assert "1 votante; en cabeza: Tea." in live.text  # ...and not served to a Spanish reader
