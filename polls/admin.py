"""The editor's tool: write, schedule, watch and export polls from /admin/."""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import models, transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext_lazy, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from . import editing
from .editor_forms import ChoiceForm, ChoiceFormSet, QuestionForm
from .exports import results_csv_response
from .models import Choice, Question, Status

admin.site.site_header = _("Polls administration")
admin.site.site_title = _("Polls administration")
admin.site.index_title = _("Polls: questions, choices and editors")


class ChoiceInline(admin.TabularInline):
    model = Choice
    form = ChoiceForm
    formset = ChoiceFormSet
    fields = ["choice_text", "position", "votes"]
    # Counters are kept by cast_vote() alone; nobody types a count.
    readonly_fields = ["votes"]

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj else 3


# The changes of state the actions run (polls.editing), and what each says: to the editor when it
# applies, when it does not, and in the question's history (written in the editor's language).
STATE_CHANGES = {
    editing.publish_now: (
        ngettext_lazy("Published %(n)d poll now.", "Published %(n)d polls now.", "n"),
        ngettext_lazy(
            "%(n)d poll was already published and was left as it was.",
            "%(n)d polls were already published and were left as they were.",
            "n",
        ),
        _("Published now, from the list."),
    ),
    editing.close_now: (
        ngettext_lazy(
            "Closed %(n)d poll: it accepts no more votes.",
            "Closed %(n)d polls: they accept no more votes.",
            "n",
        ),
        ngettext_lazy(
            "%(n)d poll was not open (scheduled or already closed) and was left as it was.",
            "%(n)d polls were not open (scheduled or already closed) and were left as they were.",
            "n",
        ),
        _("Closed now, from the list."),
    ),
    editing.reopen: (
        ngettext_lazy(
            "Reopened %(n)d poll with no closing time.", "Reopened %(n)d polls with no closing time.", "n"
        ),
        ngettext_lazy(
            "%(n)d poll was not closed and was left as it was.",
            "%(n)d polls were not closed and were left as they were.",
            "n",
        ),
        _("Reopened with no closing time, from the list."),
    ),
}


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        if self.value() in Status.values:
            return queryset.filter(status=self.value())
        return queryset


class BallotListFilter(admin.SimpleListFilter):
    title = _("ballot list")
    parameter_name = "ballot_list"

    def lookups(self, request, model_admin):
        return [
            ("on", pgettext_lazy("ballot list", "published when it closes")),
            ("off", pgettext_lazy("ballot list", "not published")),
        ]

    def queryset(self, request, queryset):
        if self.value() in ("on", "off"):
            return queryset.filter(publish_ballots=self.value() == "on")
        return queryset


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionForm
    fieldsets = [
        (None, {"fields": ["question_text"]}),
        (_("Schedule"), {"fields": ["pub_date", "closes_at"]}),
        (_("Voting"), {"fields": ["max_choices", "results_visibility", "publish_ballots"]}),
    ]
    inlines = [ChoiceInline]
    list_display = [
        "question",
        "status",
        "pub_date",
        "closes_at",
        "choice_count",
        "voter_count",
        "ballot_list",
        "on_site",
    ]
    list_filter = [StatusFilter, BallotListFilter, "pub_date", "closes_at"]
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
        results = ["status", "voter_count", "ballot_list", "updated_at"]
        return [*self.fieldsets, (_("Results"), {"fields": results})]

    def get_readonly_fields(self, request, obj=None):
        return ["status", "voter_count", "ballot_list", "updated_at"] if obj else []

    @admin.display(description=_("question"), ordering="question_text")
    def question(self, question):
        # The editors' words in their own direction: Arabic or Hebrew reads right to left.
        return format_html('<span dir="auto">{}</span>', question.question_text)

    @admin.display(description=_("status"))
    def status(self, question):
        return Status(question.status).label

    @admin.display(description=_("choices"), ordering="choice_count")
    def choice_count(self, question):
        return question.choice_count

    @admin.display(description=_("ballot list"), ordering="publish_ballots")
    def ballot_list(self, question):
        """Whether the public ballot list (polls.verify) is out, with a link to it when it is."""
        if not question.publish_ballots:
            return pgettext("ballot list", "not published")
        if question.ballot_list_published():
            url = reverse("polls:ballots_csv", args=[question.pk])
            return format_html('<a href="{}">{}</a>', url, pgettext("ballot list", "published"))
        return pgettext("ballot list", "when it closes")

    @admin.display(description=_("on the site"))
    def on_site(self, question):
        url = self.view_on_site(question)
        return (
            format_html('<a href="{}">{}</a>', url, gettext("View on site")) if url else gettext("not public")
        )

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
            LogEntry.objects.log_actions(request.user.pk, moved, CHANGE, str(history))
            self.message_user(request, done % {"n": changed}, messages.SUCCESS)
        if len(ids) > changed:
            self.message_user(request, unchanged % {"n": len(ids) - changed}, messages.WARNING)

    @admin.action(description=_("Publish now"), permissions=["change"])
    def publish_now(self, request, queryset):
        self._change_state(request, queryset, editing.publish_now)

    @admin.action(description=_("Close now"), permissions=["change"])
    def close_now(self, request, queryset):
        self._change_state(request, queryset, editing.close_now)

    @admin.action(description=_("Reopen (no closing time)"), permissions=["change"])
    def reopen(self, request, queryset):
        self._change_state(request, queryset, editing.reopen)

    @admin.action(description=_("Duplicate as a draft"), permissions=["add"])
    def duplicate(self, request, queryset):
        copies = [editing.duplicate(question) for question in queryset]
        for copy in copies:
            self.log_addition(request, copy, [{"added": {}}])
            self.message_user(
                request,
                format_html(
                    gettext(
                        "Copied “{question}” as a draft without votes, hidden from the public: "
                        '<a href="{url}">review it</a>, then publish it.'
                    ),
                    question=format_html('<span dir="auto">{}</span>', copy.question_text),
                    url=reverse("admin:polls_question_change", args=[copy.pk]),
                ),
                messages.SUCCESS,
            )
        if len(copies) == 1:
            return redirect("admin:polls_question_change", copies[0].pk)
        return None

    @admin.action(description=_("Export results as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return results_csv_response(queryset)
