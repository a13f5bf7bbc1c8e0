from django.contrib import admin

from .models import Choice, Question


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 3
    fields = ["choice_text", "position", "votes"]
    readonly_fields = ["votes"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    fieldsets = [
        (None, {"fields": ["question_text"]}),
        ("Schedule", {"fields": ["pub_date", "closes_at"]}),
        ("Voting", {"fields": ["max_choices", "results_visibility"]}),
    ]
    inlines = [ChoiceInline]
    list_display = ["question_text", "pub_date", "closes_at", "voter_count"]
    search_fields = ["question_text"]
    date_hierarchy = "pub_date"
