"""
Questions, their choices, and the ballots voters cast on them: the data, and every rule about it.

What the public may see is said once, here: QuerySet vocabulary (published, open, closed) and its
twin for a question in hand (current_status), which every other module uses instead of filters.
"""

import functools

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction
from django.db.models import Case, Count, Exists, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .receipts import TRACKER_PATTERN
from .statuses import ResultsVisibility, Status


@functools.cache
def _two_choices_or_more():
    # A second choice exists (OFFSET 1). Built once: Django copies an expression into each query,
    # and building it again for every public request cost about as much as the rest of the query.
    return Exists(Choice.objects.filter(question=OuterRef("pk"))[1:])


class QuestionQuerySet(models.QuerySet):
    def published(self):
        """Questions the public may see: past their publish time and with two choices or more."""
        return self.filter(_two_choices_or_more(), pub_date__lte=timezone.now())

    def open(self):
        """Published questions that take votes: no closing time, or one still ahead."""
        return self.published().filter(Q(closes_at__isnull=True) | Q(closes_at__gt=timezone.now()))

    def closed(self):
        """Published questions past their closing time."""
        return self.published().filter(closes_at__lte=timezone.now())

    def scheduled(self):
        return self.filter(pub_date__gt=timezone.now())

    def with_voted(self, voter):
        """Annotate `voted`: whether this voter (None for a browser without a cookie) has a ballot."""
        if voter is None:
            return self.annotate(voted=Value(False))
        return self.annotate(voted=Exists(Ballot.objects.filter(question=OuterRef("pk"), voter=voter)))

    def with_choice_count(self):
        """Annotate `choice_count`, for editors (published() only asks for a second choice)."""
        choices = Choice.objects.filter(question=OuterRef("pk")).order_by().values("question")
        return self.annotate(choice_count=Coalesce(Subquery(choices.annotate(n=Count("pk")).values("n")), 0))

    def with_published(self):
        """Annotate `is_published`: whether published() holds the question."""
        return self.annotate(is_published=Exists(Question.objects.published().filter(pk=OuterRef("pk"))))

    def with_status(self):
        """Annotate `status`: Question.current_status() in SQL, for filtering lists by it."""
        now = timezone.now()
        return self.annotate(
            status=Case(
                When(pub_date__isnull=True, then=Value(Status.DRAFT)),
                When(pub_date__gt=now, then=Value(Status.SCHEDULED)),
                When(closes_at__lte=now, then=Value(Status.CLOSED)),
                default=Value(Status.OPEN),
                output_field=models.CharField(),
            )
        )

    def lock(self):
        """Lock these questions' rows as a vote does, until the transaction ends; return the ids locked."""
        # A change that must see every vote (a deletion, the admin's save, a recount) locks first.
        return list(self.order_by("pk").select_for_update().values_list("pk", flat=True))

    def delete(self):
        """Delete these questions with all they hold, once no vote on them is still being written."""
        # Unlocked, it fails at COMMIT on a ballot committed after it collected the others.
        with transaction.atomic(using=self.db):
            self.lock()
            return super().delete()


class Question(models.Model):
    question_text = models.CharField(_("question"), max_length=200)
    pub_date = models.DateTimeField(
        _("publish at"),
        null=True,
        blank=True,
        default=timezone.now,
        help_text=_("The poll stays hidden until then. Leave empty for a draft, hidden until published."),
    )
    closes_at = models.DateTimeField(
        _("closes at"), null=True, blank=True, help_text=_("Leave empty to keep the poll open.")
    )
    max_choices = models.PositiveSmallIntegerField(
        _("choices a voter may pick"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("1 shows radio buttons; more shows checkboxes."),
    )
    results_visibility = models.CharField(
        _("results are visible"),
        max_length=12,
        choices=ResultsVisibility,
        default=ResultsVisibility.ALWAYS,
    )
    publish_ballots = models.BooleanField(
        _("publish the ballot list"),
        default=True,
        help_text=_(
            "Once the poll closes, anyone may download every ballot, known only by its receipt’s "
            "tracker, and recount the results."
        ),
    )
    # Moved by polls.voting.cast_vote() alone, by increments with the ballot: nobody types a count.
    voter_count = models.PositiveIntegerField(_("ballots"), default=0, editable=False)
    # Bumped by every ballot written and every change of state: with updated_at, what a cached
    # fragment of the poll's pages is keyed by (see polls/templates/polls).
    revision = models.PositiveBigIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("question"), _("questions")
        ordering = ["-pub_date", "-pk"]
        indexes = [models.Index(fields=["-pub_date", "-id"], name="question_newest_first")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("pub_date")),
                name="question_closes_after_publish",
                violation_error_message=_("The closing time must come after the publish time."),
            ),
            models.CheckConstraint(condition=Q(max_choices__gte=1), name="question_max_choices_positive"),
        ]

    def __str__(self):
        return self.question_text

    def get_absolute_url(self):
        return reverse("polls:detail", args=[self.pk])

    def delete(self, **kwargs):
        with transaction.atomic():
            Question.objects.filter(pk=self.pk).lock()
            return super().delete(**kwargs)

    def current_status(self):
        """The Status of QuestionQuerySet.with_status(), for a question in hand."""
        now = timezone.now()
        if self.pub_date is None:
            return Status.DRAFT
        if self.pub_date > now:
            return Status.SCHEDULED
        if self.closes_at is not None and self.closes_at <= now:
            return Status.CLOSED
        return Status.OPEN

    def is_open(self):
        return self.current_status() == Status.OPEN

    def is_closed(self):
        return self.current_status() == Status.CLOSED

    @property
    def allows_multiple(self):
        return self.max_choices > 1

    def results_visible_to(self, *, has_voted):
        """Whether a visitor who has (or has not) voted may see the results."""
        match self.results_visibility:
            case ResultsVisibility.AFTER_VOTE:
                return has_voted or self.is_closed()
            case ResultsVisibility.AFTER_CLOSE:
                return self.is_closed()
        return True

    def ballot_list_published(self):
        """Whether /polls/<id>/ballots.csv is public: closed, with results for all, and not turned off."""
        return self.publish_ballots and self.is_closed() and self.results_visible_to(has_voted=False)

    @property
    def results_shown(self):
        """results_visible_to(), for a question annotated by QuestionQuerySet.with_voted()."""
        return self.results_visible_to(has_voted=self.voted)

    def largest_ballot(self):
        """The most choices that one ballot on this question holds (0 without ballots)."""
        sizes = self.ballots.annotate(size=Count("votes")).order_by("-size").values_list("size", flat=True)
        return sizes.first() or 0


class Choice(models.Model):
    # No index of its own: choice_text_unique_per_question's (question, choice_text) serves it.
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices", db_index=False)
    choice_text = models.CharField(_("choice"), max_length=200)
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Choices are shown in this order.")
    )
    # Moved by polls.voting.cast_vote() alone, by increments: it equals this choice's Vote rows.
    votes = models.PositiveIntegerField(_("votes"), default=0, editable=False)

    class Meta:
        verbose_name, verbose_name_plural = _("choice"), _("choices")
        ordering = ["question", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "choice_text"],
                name="choice_text_unique_per_question",
                violation_error_message=_("Each choice of a question must be different."),
            ),
            models.CheckConstraint(condition=~Q(choice_text=""), name="choice_text_not_empty"),
        ]

    def __str__(self):
        return self.choice_text


class Ballot(models.Model):
    """One voter's answer to one question; it holds one Vote per choice marked."""

    # No index of its own: one_ballot_per_tracker_per_question's (question, tracker) serves it.
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="ballots", db_index=False)
    # A random id from the voter's signed cookie (polls.voter); nothing else is known of a voter.
    voter = models.UUIDField()
    # The SHA-256 of the ballot's receipt (polls.receipts), never the receipt itself: its key in the
    # public ballot list. Written by the ballot's own INSERT; a change of vote keeps it.
    tracker = models.CharField(max_length=64, editable=False)
    cast_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-cast_at", "-pk"]
        # The admin's "latest ballots" reads the newest few of what may be millions.
        indexes = [models.Index(fields=["-cast_at", "-id"], name="ballot_newest_first")]
        constraints = [
            models.UniqueConstraint(fields=["voter", "question"], name="one_ballot_per_voter_per_question"),
            # Also the ballot list's index: a poll's ballots in tracker order, and a receipt's lookup.
            # Checked at COMMIT: one voter's simultaneous first votes share a tracker, and the vote's
            # INSERT ... ON CONFLICT (voter, question) turns all but one into updates only if no
            # other unique index refuses their rows first. (SQLite cannot defer it; Django leaves it
            # out there, and SQLite writes one transaction at a time.)
            models.UniqueConstraint(
                fields=["question", "tracker"],
                name="one_ballot_per_tracker_per_question",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=Q(tracker__regex=TRACKER_PATTERN), name="ballot_tracker_is_sha256"
            ),
        ]

    def __str__(self):
        return f"Ballot {self.pk} on question {self.question_id}"


class VoteQuerySet(models.QuerySet):
    def held_by(self, voter, question):
        """The ids of the choices on this voter's ballot for the question (none for voter None)."""
        return self.ballot_of(voter, question)[0]

    def ballot_of(self, voter, question):
        """held_by(), and the ballot's tracker (None without a ballot), read in the same one query."""
        if voter is None:  # a browser without a voter cookie: nothing to ask the database
            return set(), None
        # .order_by(): a set needs no order, and Vote's would join and sort ballots and choices.
        votes = self.filter(ballot__voter=voter, ballot__question=question).order_by()
        rows = list(votes.values_list("choice_id", "ballot__tracker"))
        return {choice_id for choice_id, _ in rows}, (rows[0][1] if rows else None)

    def ballot_list(self, question):
        """(tracker, choice id) of every vote on the question, by tracker: the public ballot list."""
        votes = self.filter(ballot__question=question).order_by("ballot__tracker", "choice_id")
        return votes.values_list("ballot__tracker", "choice_id")


class Vote(models.Model):
    """A choice marked on a ballot."""

    # No index of its own: one_vote_per_choice_per_ballot's (ballot, choice) serves it.
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="votes", db_index=False)
    # RESTRICT: deleting a voted choice would change what ballots said; the whole question may go.
    choice = models.ForeignKey(Choice, on_delete=models.RESTRICT, related_name="ballot_votes")

    objects = VoteQuerySet.as_manager()

    class Meta:
        ordering = ["ballot", "choice"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "choice"], name="one_vote_per_choice_per_ballot"),
        ]

    def __str__(self):
        return f"{self.choice} on ballot {self.ballot_id}"


class RateCounterQuerySet(models.QuerySet):
    def hit(self, key, started):
        """Count one request for `key` in the window that began at `started`; return the count so far."""
        # Hand-written: the ORM's upsert cannot add to a column; a read-modify-write would lose hits.
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (key, started, hits) VALUES (%s, %s, 1) "  # noqa: S608  (no user input)
                f"ON CONFLICT (key, started) DO UPDATE SET hits = {table}.hits + 1 RETURNING hits",
                [key, started],
            )
            return cursor.fetchone()[0]


class RateCounter(models.Model):
    """Requests one client made in one time window, shared by every app server (polls.ratelimit)."""

    pk = models.CompositePrimaryKey("key", "started")
    key = models.CharField(max_length=80)  # what is limited, for whom: "vote:203.0.113.7"
    started = models.BigIntegerField()  # the window's start, in seconds since the epoch
    hits = models.PositiveIntegerField(default=1)

    objects = RateCounterQuerySet.as_manager()

    class Meta:
        ordering = ["started", "key"]
        indexes = [models.Index(fields=["started"], name="ratecounter_started")]

    def __str__(self):
        return f"{self.key}: {self.hits} since {self.started}"
