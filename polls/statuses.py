"""The named states of a question: when its results show, and where it is in its life."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ResultsVisibility(models.TextChoices):
    ALWAYS = "always", _("Always")
    AFTER_VOTE = "after_vote", _("After the visitor has voted")
    AFTER_CLOSE = "after_close", _("Only after the poll closes")


class Status(models.TextChoices):
    """Where a question is in its life, read from its publish and close times."""

    DRAFT = "draft", pgettext_lazy("poll status", "Draft")
    SCHEDULED = "scheduled", pgettext_lazy("poll status", "Scheduled")
    OPEN = "open", pgettext_lazy("poll status", "Open")
    CLOSED = "closed", pgettext_lazy("poll status", "Closed")
