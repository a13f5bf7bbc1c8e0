"""
The editor's forms in the admin: a question and its choices, checked as a whole before a save.

Editors' text is typed as it will be shown, in its own direction: the inputs read dir="auto", so
a question in Arabic or Hebrew is typed and read right to left (issue 23).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext

from .models import Choice, Question
from .text import comparable, mixed_script_word, shown

EDITORS_TEXT = forms.TextInput(attrs={"dir": "auto"})


class ChoiceForm(forms.ModelForm):
    class Meta:
        model = Choice
        fields = ["choice_text", "position"]
        widgets = {"choice_text": EDITORS_TEXT}

    def clean_choice_text(self):
        text = shown(self.cleaned_data["choice_text"])
        if not comparable(text):
            raise ValidationError(
                gettext("This choice shows nothing: type some visible text."), code="invisible"
            )
        if word := mixed_script_word(text):
            raise ValidationError(
                gettext(
                    "“%(word)s” mixes Latin, Greek or Cyrillic letters, so it can look like another word."
                ),
                code="mixed_scripts",
                params={"word": word},
            )
        old = self.instance
        if old.pk and old.votes and text != old.choice_text:
            raise ValidationError(
                ngettext(
                    "“%(old)s” already has %(votes)s vote: new words would change what that voter "
                    "chose. Keep the text, or add a new choice instead.",
                    "“%(old)s” already has %(votes)s votes: new words would change what those voters "
                    "chose. Keep the text, or add a new choice instead.",
                    old.votes,
                ),
                code="voted_choice_renamed",
                params={"old": old.choice_text, "votes": old.votes},
            )
        return text


class ChoiceFormSet(forms.BaseInlineFormSet):
    """A question's choices, checked together: at least two, all different, voted ones kept."""

    def clean(self):
        if any(self.errors):
            return
        texts, errors = [], []
        for form in self.forms:
            choice = form.instance
            if self._should_delete_form(form):
                if choice.pk and choice.votes:
                    message = ngettext(
                        "“%(choice)s” cannot be deleted: it holds %(votes)s vote and that ballot "
                        "would lose it. Close the poll, or duplicate it to start over.",
                        "“%(choice)s” cannot be deleted: it holds %(votes)s votes and those ballots "
                        "would lose it. Close the poll, or duplicate it to start over.",
                        choice.votes,
                    )
                    errors.append(message % {"choice": choice.choice_text, "votes": choice.votes})
            elif choice.pk or form.has_changed():
                texts.append(form.cleaned_data["choice_text"])
        if len(texts) < 2:
            errors.append(
                gettext("A poll needs at least two choices; this one has %(count)s.") % {"count": len(texts)}
            )
        # Two choices that look the same (polls.text) would split the votes of the same answer.
        seen = {}
        for text in texts:
            key = comparable(text)
            if key in seen:
                errors.append(
                    gettext("“%(first)s” and “%(second)s” are the same choice; keep only one.")
                    % {"first": seen[key], "second": text}
                )
            seen.setdefault(key, text)
        limit = self.instance.max_choices
        if len(texts) >= 2 and limit > len(texts):
            errors.append(
                gettext(
                    "Voters may pick up to %(limit)s choices but the poll offers only %(count)s: "
                    "lower “choices a voter may pick” or add choices."
                )
                % {"limit": limit, "count": len(texts)}
            )
        if errors:
            raise ValidationError(errors)
        super().clean()


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["question_text", "pub_date", "closes_at", "max_choices", "results_visibility"]
        widgets = {"question_text": EDITORS_TEXT}

    def clean_max_choices(self):
        limit = self.cleaned_data["max_choices"]
        question = self.instance
        if question.pk and limit < question.max_choices:
            held = question.largest_ballot()
            if held > limit:
                raise ValidationError(
                    gettext(
                        "Ballots already hold up to %(held)s choices; a lower limit would make them "
                        "invalid. Duplicate the poll to run it with fewer picks."
                    ),
                    code="below_cast_ballots",
                    params={"held": held},
                )
        return limit

    def clean(self):
        cleaned = super().clean()
        pub_date, closes_at = cleaned.get("pub_date"), cleaned.get("closes_at")
        if pub_date and closes_at and closes_at <= pub_date:
            # The database refuses it too (question_closes_after_publish); say it next to the field.
            self.add_error("closes_at", gettext("The closing time must come after the publish time."))
        return cleaned
