"""The editor's tool: write, schedule, watch and export polls from /admin/."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext

from . import editing
from .exports import results_csv_response
from .models import Choice, Question, Status
from .text import comparable, mixed_script_word, shown

admin.site.site_header = "Polls administration"
admin.site.site_title = "Polls administration"
admin.site.index_title = "Polls: questions, choices and editors"


class ChoiceForm(forms.ModelForm):
    class Meta:
        model = Choice
        fields = ["choice_text", "position"]

    def clean_choice_text(self):
        text = shown(self.cleaned_data["choice_text"])
        if not comparable(text):
            raise ValidationError("This choice shows nothing: type some visible text.", code="invisible")
        if word := mixed_script_word(text):
            raise ValidationError(
                "“%(word)s” mixes Latin, Greek or Cyrillic letters, so it can look like another word.",
                code="mixed_scripts",
                params={"word": word},
            )
        old = self.instance
        if old.pk and old.votes and text != old.choice_text:
            raise ValidationError(
                "“%(old)s” already has %(votes)s vote(s): new words would change what those voters "
                "chose. Keep the text, or add a new choice instead.",
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
                    errors.append(
                        f"“{choice.choice_text}” cannot be deleted: it holds {choice.votes} vote(s) "
                        "and those ballots would lose it. Close the poll, or duplicate it to start over."
                    )
            elif choice.pk or form.has_changed():
                texts.append(form.cleaned_data["choice_text"])
        if len(texts) < 2:
            errors.append(f"A poll needs at least two choices; this one has {len(texts)}.")
        # Two choices that look the same (polls.text) would split the votes of the same answer.
        seen = {}
        for text in texts:
            key = comparable(text)
            if key in seen:
                errors.append(f"“{seen[key]}” and “{text}” are the same choice; keep only one.")
            seen.setdefault(key, text)
        limit = self.instance.max_choices
        if len(texts) >= 2 and limit > len(texts):
            errors.append(
                f"Voters may pick up to {limit} choices but the poll offers only {len(texts)}: "
                "lower “choices a voter may pick” or add choices."
            )
        if errors:
            raise ValidationError(errors)
        super().clean()


class ChoiceInline(admin.TabularInline):
    model = Choice
    form = ChoiceForm
    formset = ChoiceFormSet
    fields = ["choice_text", "position", "votes"]
    # Counters are kept by cast_vote() alone; nobody types a count.
    readonly_fields = ["votes"]

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj else 3


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["question_text", "pub_date", "closes_at", "max_choices", "results_visibility"]

    def clean_max_choices(self):
        limit = self.cleaned_data["max_choices"]
        question = self.instance
        if question.pk and limit < question.max_choices:
            held = question.largest_ballot()
            if held > limit:
                raise ValidationError(
                    "Ballots already hold up to %(held)s choices; a lower limit would make them invalid. "
                    "Duplicate the poll to run it with fewer picks.",
                    code="below_cast_ballots",
                    params={"held": held},
                )
        return limit

    def clean(self):
        cleaned = super().clean()
        pub_date, closes_at = cleaned.get("pub_date"), cleaned.get("closes_at")
        if pub_date and closes_at and closes_at <= pub_date:
            # The database refuses it too (question_closes_after_publish); say it next to the field.
            self.add_error("closes_at", "The closing time must come after the publish time.")
        return cleaned


# The changes of state the actions run (polls.editing), and what each says: to the editor when it
# applies, when it does not, and in the question's history.
STATE_CHANGES = {
    editing.publish_now: (
        "Published {n} poll(s) now.",
        "{n} poll(s) were already published and were left as they were.",
        "Published now, from the list.",
    ),
    editing.close_now: (
        "Closed {n} poll(s): they accept no more votes.",
        "{n} poll(s) were not open (scheduled or already closed) and were left as they were.",
        "Closed now, from the list.",
    ),
    editing.reopen: (
        "Reopened {n} poll(s) with no closing time.",
        "{n} poll(s) were not closed and were left as they were.",
        "Reopened with no closing time, from the list.",
    ),
}


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        if self.value() in Status.values:
            return queryset.filter(status=self.value())
        return queryset


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionForm
    fieldsets = [
        (None, {"fields": ["question_text"]}),
        ("Schedule", {"fields": ["pub_date", "closes_at"]}),
        ("Voting", {"fields": ["max_choices", "results_visibility"]}),
    ]
    inlines = [ChoiceInline]
    list_display = [
        "question_text",
        "status",
        "pub_date",
        "closes_at",
        "choice_count",
        "voter_count",
        "on_site",
    ]
    list_filter = [StatusFilter, "pub_date", "closes_at"]
    search_fields = ["question_text", "choices__choice_text"]
    date_hierarchy = "pub_date"
    list_per_page = 50
    actions = ["publish_now", "close_now", "reopen", "duplicate", "export_csv"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(db_field, models.DateTimeField) and field is not None:
            # Editors see and type times in their own zone (mysite.timezones), which may not be the
            # server's: the form is built per request, so it can say which one.
            zone = gettext("Times in %(zone)s.") % {"zone": timezone.get_current_timezone_name()}
            field.help_text = format_html("{} {}", field.help_text, zone) if field.help_text else zone
        return field

    def get_queryset(self, request):
        # Annotated in the one list query, so the page costs the same for 5 rows or 50.
        return super().get_queryset(request).with_status().with_choice_count().with_published()

    def get_object(self, request, object_id, from_field=None):
        question = super().get_object(request, object_id, from_field)
        # The views that save (the change form, the delete page) run in a transaction. A save checks
        # the ballots (no vote on a choice to delete, none above a lowered choice limit), then
        # writes the question and its choices, counters included. So the question is locked as a
        # vote locks it, then read again: no vote lands between the checks and the writes (it would
        # be a RestrictedError, a 500, or a ballot holding more choices than the poll allows), and
        # the counters written back are the ones the votes before the lock left, not older ones.
        if question is not None and request.method == "POST" and transaction.get_connection().in_atomic_block:
            Question.objects.filter(pk=question.pk).lock()
            question.refresh_from_db()
        return question

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.fieldsets
        return [*self.fieldsets, ("Results", {"fields": ["status", "voter_count", "updated_at"]})]

    def get_readonly_fields(self, request, obj=None):
        return ["status", "voter_count", "updated_at"] if obj else []

    @admin.display(description="status")
    def status(self, question):
        return Status(question.status).label

    @admin.display(description="choices", ordering="choice_count")
    def choice_count(self, question):
        return question.choice_count

    @admin.display(description="on the site")
    def on_site(self, question):
        url = self.view_on_site(question)
        return format_html('<a href="{}">View on site</a>', url) if url else "not public"

    def view_on_site(self, question):
        """The public page, for a question the public can see (else no link: it would be a 404)."""
        return question.get_absolute_url() if question.is_published else None

    def _change_state(self, request, queryset, change):
        """Run a change of state (polls.editing) on the selection; say and log what it did."""
        done, unchanged, history = STATE_CHANGES[change]
        # The ids first: the list may be filtered by the very status that the change moves.
        ids = list(queryset.values_list("pk", flat=True))
        selection = Question.objects.filter(pk__in=ids)
        before = dict(selection.with_status().values_list("pk", "status"))
        changed = change(selection)
        if changed:
            # with_status() again: it reads the clock when called, and the change happened since.
            moved = [q for q in selection.with_status() if q.status != before[q.pk]]
            LogEntry.objects.log_actions(request.user.pk, moved, CHANGE, history)
            self.message_user(request, done.format(n=changed), messages.SUCCESS)
        if len(ids) > changed:
            self.message_user(request, unchanged.format(n=len(ids) - changed), messages.WARNING)

    @admin.action(description="Publish now", permissions=["change"])
    def publish_now(self, request, queryset):
        self._change_state(request, queryset, editing.publish_now)

    @admin.action(description="Close now", permissions=["change"])
    def close_now(self, request, queryset):
        self._change_state(request, queryset, editing.close_now)

    @admin.action(description="Reopen (no closing time)", permissions=["change"])
    def reopen(self, request, queryset):
        self._change_state(request, queryset, editing.reopen)

    @admin.action(description="Duplicate as a draft", permissions=["add"])
    def duplicate(self, request, queryset):
        copies = [editing.duplicate(question) for question in queryset]
        for copy in copies:
            self.log_addition(request, copy, [{"added": {}}])
            self.message_user(
                request,
                format_html(
                    "Copied “{}” as a draft without votes, hidden from the public: "
                    '<a href="{}">review it</a>, then publish it.',
                    copy.question_text,
                    reverse("admin:polls_question_change", args=[copy.pk]),
                ),
                messages.SUCCESS,
            )
        if len(copies) == 1:
            return redirect("admin:polls_question_change", copies[0].pk)
        return None

    @admin.action(description="Export results as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        return results_csv_response(queryset)
