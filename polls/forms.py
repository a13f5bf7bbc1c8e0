from django import forms
from django.utils.translation import gettext


class VoteForm(forms.Form):
    """
    Turn a POSTed ballot into the question's Choice objects, or into a message a person can act on.

    The question's choices are passed in already read (the vote view reads them with the question),
    so validating a ballot costs no query, and a choice id of another question is simply not among
    them.
    """

    # A honeypot: hidden from people (CSS) and from assistive technology, filled in by naive bots.
    website = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, question, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        self.choices = choices
        self._by_value = {str(choice.pk): choice for choice in choices}
        options = [(value, choice.choice_text) for value, choice in self._by_value.items()]
        not_this_polls = gettext("That choice is not part of this poll. Pick one of the choices below.")
        messages = {
            "required": gettext("Pick a choice before voting.")
            if question.max_choices == 1
            else gettext("Pick between one and %(limit)d choices before voting.")
            % {"limit": question.max_choices},
            "invalid_choice": not_this_polls,
            "invalid_list": not_this_polls,
        }
        if question.allows_multiple:
            self.fields["choice"] = forms.MultipleChoiceField(choices=options, error_messages=messages)
        else:
            self.fields["choice"] = forms.ChoiceField(choices=options, error_messages=messages)

    def clean_choice(self):
        values = self.cleaned_data["choice"]
        if isinstance(values, str):
            # A single-choice field reads only the last value; a POST that repeats the field with
            # different values is not a ballot this poll can hold.
            values = set(self.data.getlist("choice"))
            if len(values) > 1:
                raise forms.ValidationError(
                    gettext("This poll takes one choice. Pick only one."), code="too_many"
                )
        picked = list({value: self._by_value[value] for value in values}.values())
        if len(picked) > self.question.max_choices:
            raise forms.ValidationError(
                gettext("You picked %(picked)d choices; this poll allows at most %(limit)d."),
                code="too_many",
                params={"picked": len(picked), "limit": self.question.max_choices},
            )
        return picked

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError(
                gettext("This vote looks automated, so it was not counted. Leave the hidden field empty."),
                code="honeypot",
            )
        return ""

    def checked_ids(self):
        """The ids of the posted choices that are the poll's, to show them checked again."""
        posted = set(self.data.getlist("choice"))
        return {choice.pk for value, choice in self._by_value.items() if value in posted}
