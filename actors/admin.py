from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from actors.models import Actor, ActorAlias, Affiliation
from actors.selectors import possible_duplicates
from core.admin import EditorialForm, EditorialInlineMixin, HistoryAdmin, PublishableAdmin


class ActorAliasInline(EditorialInlineMixin, admin.TabularInline):
    model = ActorAlias
    extra = 1


class AffiliationInline(EditorialInlineMixin, admin.TabularInline):
    model = Affiliation
    fk_name = "person"
    extra = 0
    autocomplete_fields = ["organization"]
    also_editable = ["organization"]


class ActorForm(EditorialForm):
    confirm_not_duplicate = forms.BooleanField(
        required=False,
        label="This is a different actor",
        help_text="Tick to save although an actor with a matching name or alias exists.",
    )

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("name")
        if name and not cleaned.get("confirm_not_duplicate"):
            matches = list(possible_duplicates(name, exclude=self.instance)[:5])
            if matches:
                links = format_html_join(
                    ", ",
                    '<a href="{}" target="_blank">{}</a>',
                    ((reverse("admin:actors_actor_change", args=[m.pk]), m.name) for m in matches),
                )
                self.add_error(
                    "name",
                    forms.ValidationError(
                        format_html(
                            "An actor with a matching name or alias already exists: {}. Edit that one, or tick "
                            "“This is a different actor” below to save anyway.",
                            links,
                        ),
                        code="duplicate",
                    ),
                )
        return cleaned


@admin.register(Actor)
class ActorAdmin(PublishableAdmin):
    """Actors' admin. Merging them is added on the events side (events/admin.py): it rewrites
    events' rows too."""

    form = ActorForm
    list_display = ["name", "kind", "country", "wikidata_id", "status", "updated_at", "updated_by"]
    list_filter = ["status", "kind", "country"]
    list_select_related = ["updated_by"]
    # Aliases are searched too: an editor typing "Moscow" finds Russia.
    search_fields = ["name", "slug", "aliases__name", "wikidata_id"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ActorAliasInline, AffiliationInline]
    fieldsets = [
        (None, {"fields": ["name", "confirm_not_duplicate", "slug", "kind", "country", "description", "wikidata_id"]}),
        PublishableAdmin.record_fieldset,
    ]


@admin.register(ActorAlias)
class ActorAliasAdmin(HistoryAdmin):
    parent_field = "actor"
    list_display = ["name", "language", "actor"]
    list_filter = ["language"]
    list_select_related = ["actor"]
    search_fields = ["name", "actor__name"]
    autocomplete_fields = ["actor"]


@admin.register(Affiliation)
class AffiliationAdmin(HistoryAdmin):
    parent_fields = ["person", "organization"]
    list_display = ["person", "title", "organization", "start_date", "end_date"]
    list_select_related = ["person", "organization"]
    search_fields = ["title", "person__name", "organization__name"]
    autocomplete_fields = ["person", "organization"]
    date_hierarchy = "start_date"
