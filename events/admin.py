from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from actors.admin import ActorAdmin
from actors.models import Actor
from core import workflow
from core.admin import EditorialInlineMixin, HistoryAdmin, InlineVersionForm, PublishableAdmin
from events import services
from events.models import Citation, Event, EventType, Participation, Quote, Source


class ParticipationInline(EditorialInlineMixin, admin.TabularInline):
    model = Participation
    extra = 1
    autocomplete_fields = ["actor"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class CitationInline(EditorialInlineMixin, admin.TabularInline):
    model = Citation
    extra = 1
    autocomplete_fields = ["source"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source", "event")


class QuoteInline(EditorialInlineMixin, admin.StackedInline):
    model = Quote
    form = InlineVersionForm
    extra = 0
    autocomplete_fields = ["speaker", "source"]
    fields = [
        "text", "speaker", "speaker_title", "said_on", "said_on_precision", "source", "is_paraphrase", "status",
        "expected_version",
    ]  # fmt: skip
    readonly_fields = ["status"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("speaker", "source", "event")


@admin.register(EventType)
class EventTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "quad_class", "score", "parent"]
    list_filter = ["quad_class"]
    list_select_related = ["parent"]
    search_fields = ["code", "name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]


@admin.register(Event)
class EventAdmin(PublishableAdmin):
    list_display = ["title", "date_display", "event_type", "country", "status", "updated_at", "updated_by"]
    list_filter = ["status", "event_type__quad_class", "date_precision", "country"]
    list_select_related = ["event_type", "updated_by"]
    search_fields = ["title", "slug", "summary", "location"]
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["event_type"]
    inlines = [ParticipationInline, CitationInline, QuoteInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "event_type", "summary"]}),
        ("When and where", {"fields": ["start_date", "end_date", "date_precision", "location", "country"]}),
        PublishableAdmin.record_fieldset,
    ]

    @admin.display(description="date", ordering="start_date")
    def date_display(self, obj):
        return obj.date_display


@admin.register(Source)
class SourceAdmin(PublishableAdmin):
    list_display = ["title", "publisher", "published_on", "kind", "language", "status", "updated_at", "updated_by"]
    list_filter = ["status", "kind", "language"]
    list_select_related = ["updated_by"]
    search_fields = ["title", "publisher", "author", "url"]
    date_hierarchy = "published_on"
    fieldsets = [
        (None, {"fields": ["title", "kind", "publisher", "author", "published_on", "language"]}),
        ("Links", {"fields": ["url", "archive_url"]}),
        PublishableAdmin.record_fieldset,
    ]


@admin.register(Quote)
class QuoteAdmin(PublishableAdmin):
    transition_select_related = ["speaker", "source"]
    list_display = ["short_text", "speaker", "said_on_display", "source", "is_paraphrase", "status", "updated_at"]
    list_filter = ["status", "is_paraphrase", "language"]
    list_select_related = ["speaker", "source", "updated_by"]
    search_fields = ["text", "original_text", "speaker__name", "speaker__aliases__name"]
    date_hierarchy = "said_on"
    autocomplete_fields = ["speaker", "source", "event"]
    fieldsets = [
        (None, {"fields": ["text", "is_paraphrase", "speaker", "speaker_title", "said_on", "said_on_precision"]}),
        ("Context", {"fields": ["source", "event", "language", "original_text"]}),
        PublishableAdmin.record_fieldset,
    ]

    @admin.display(description="text", ordering="text")
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 80 else obj.text[:79] + "…"

    @admin.display(description="said on", ordering="said_on")
    def said_on_display(self, obj):
        return obj.said_on_display or "—"


@admin.register(Participation)
class ParticipationAdmin(HistoryAdmin):
    parent_field = "event"
    list_display = ["event", "actor", "role"]
    list_filter = ["role"]
    list_select_related = ["event", "actor"]
    search_fields = ["event__title", "actor__name"]
    autocomplete_fields = ["event", "actor"]


@admin.register(Citation)
class CitationAdmin(HistoryAdmin):
    parent_field = "event"
    list_display = ["event", "source", "locator"]
    list_select_related = ["event", "source"]
    search_fields = ["event__title", "source__title", "locator"]
    autocomplete_fields = ["event", "source"]


# Merging actors rewrites events' participations and quotes (events.services.merge_actors), so
# the actors' admin gets its merge action here, on the events side of the import direction.


@admin.action(description="Merge selected actors into one (Publishers)")
def merge_actors(modeladmin, request, queryset):
    actors = list(queryset.order_by("name"))
    if len(actors) < 2:
        modeladmin.message_user(request, "Select at least two actors to merge.", messages.ERROR)
        return None
    if request.POST.get("survivor"):
        survivor = next((a for a in actors if str(a.pk) == request.POST["survivor"]), None)
        if survivor is None:
            modeladmin.message_user(request, "Choose the actor to keep.", messages.ERROR)
            return None
        for duplicate in actors:
            if duplicate.pk == survivor.pk:
                continue
            try:
                services.merge_actors(survivor=survivor, duplicate=duplicate, user=request.user)
            except (workflow.TransitionError, PermissionDenied) as error:
                modeladmin.message_user(request, str(error), messages.ERROR)
                return None
        modeladmin.message_user(
            request,
            f"Merged {len(actors) - 1} actor(s) into “{survivor}”; their names are now aliases.",
            messages.SUCCESS,
        )
        return redirect("admin:actors_actor_change", survivor.pk)
    return TemplateResponse(
        request,
        "admin/actors/merge.html",
        {
            **modeladmin.admin_site.each_context(request),
            "actors": actors,
            "opts": modeladmin.model._meta,
            "title": "Merge actors",
        },
    )


admin.site.unregister(Actor)


@admin.register(Actor)
class ActorMergeAdmin(ActorAdmin):
    """The actors' admin with "Merge selected actors into one"."""

    actions = [*ActorAdmin.actions, merge_actors]
