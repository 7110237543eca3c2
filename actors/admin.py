from django.contrib import admin

from relations_site.admin import PublishableAdmin

from .models import Actor, ActorAlias, Affiliation


class ActorAliasInline(admin.TabularInline):
    model = ActorAlias
    extra = 1


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    fk_name = "person"
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(Actor)
class ActorAdmin(PublishableAdmin):
    list_display = ["name", "kind", "country", "wikidata_id", "status", "updated_at", "updated_by"]
    list_filter = ["status", "kind", "country"]
    list_select_related = ["updated_by"]
    # Aliases are searched too: an editor typing "Moscow" finds Russia.
    search_fields = ["name", "slug", "aliases__name", "wikidata_id"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ActorAliasInline, AffiliationInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "country", "description", "wikidata_id"]}),
        PublishableAdmin.record_fieldset,
    ]


@admin.register(ActorAlias)
class ActorAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "actor"]
    list_filter = ["language"]
    list_select_related = ["actor"]
    search_fields = ["name", "actor__name"]
    autocomplete_fields = ["actor"]


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    list_display = ["person", "title", "organization", "start_date", "end_date"]
    list_select_related = ["person", "organization"]
    search_fields = ["title", "person__name", "organization__name"]
    autocomplete_fields = ["person", "organization"]
    date_hierarchy = "start_date"
