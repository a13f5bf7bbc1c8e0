"""What the admin tests share: editors with given permissions and the question form as POST data."""

import datetime

from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone

from polls.voting import cast_vote

from .factories import make_browser, make_voter

QUESTIONS_URL = reverse("admin:polls_question_changelist")
ADD_URL = reverse("admin:polls_question_add")


def change_url(question):
    return reverse("admin:polls_question_change", args=[question.pk])


def make_editor(*perms, superuser=False, staff=True, username="editor"):
    """A logged-in client for a user with the given permissions ("view_question", ...)."""
    # No password (nothing to hash): the client logs in with force_login.
    user = User.objects.create_user(username, is_staff=staff, is_superuser=superuser)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="polls", codename__in=perms))
    browser = make_browser()
    browser.force_login(user)
    return browser


def split(moment):
    """A datetime as the admin's two inputs (date, time), in the site's zone."""
    if moment is None:
        return "", ""
    local = timezone.localtime(moment)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")


def question_data(
    choices,
    *,
    question_text="Which colour?",
    pub_date=None,
    closes_at=None,
    max_choices=1,
    results_visibility="always",
    publish_ballots=True,
):
    """
    POST data for the question form with its choices inline.

    `choices` are dicts with choice_text and optionally id, position (0, as a blank row has it) and
    DELETE; the ones with an id are the existing choices and must come first, as the admin renders
    them.
    """
    pub_date = pub_date or timezone.now() - datetime.timedelta(minutes=1)
    data = {
        "question_text": question_text,
        "pub_date_0": split(pub_date)[0],
        "pub_date_1": split(pub_date)[1],
        "closes_at_0": split(closes_at)[0],
        "closes_at_1": split(closes_at)[1],
        "max_choices": str(max_choices),
        "results_visibility": results_visibility,
        # A browser sends a ticked box as "on" and an unticked one not at all.
        **({"publish_ballots": "on"} if publish_ballots else {}),
        "choices-TOTAL_FORMS": str(len(choices)),
        "choices-INITIAL_FORMS": str(sum(1 for choice in choices if "id" in choice)),
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    }
    for i, choice in enumerate(choices):
        data[f"choices-{i}-choice_text"] = choice["choice_text"]
        data[f"choices-{i}-position"] = str(choice.get("position", 0))
        if "id" in choice:
            data[f"choices-{i}-id"] = str(choice["id"])
        if choice.get("DELETE"):
            data[f"choices-{i}-DELETE"] = "on"
    return data


def existing(question, **changes):
    """The question's choices as the change form posts them back; `changes` maps text to new fields."""
    return [
        {"id": c.pk, "choice_text": c.choice_text, "position": c.position, **changes.get(c.choice_text, {})}
        for c in question.choices.all()
    ]


def errors_of(response):
    """Every message the admin form shows: fields, form-wide, and the choices inline."""
    assert response.status_code == 200, response.status_code
    messages = [str(e) for errors in response.context["adminform"].form.errors.values() for e in errors]
    for inline in response.context["inline_admin_formsets"]:
        messages += [str(e) for e in inline.formset.non_form_errors()]
        for form_errors in inline.formset.errors:
            messages += [str(e) for errors in form_errors.values() for e in errors]
    return messages


def voted(question, text, times=1):
    """Cast `times` ballots for the choice with this text, each by a new voter."""
    choice = question.choices.get(choice_text=text)
    for _ in range(times):
        cast_vote(question=question, choices=[choice], voter=make_voter())
    return choice
