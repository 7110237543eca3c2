from django.db import transaction
from rest_framework import serializers

from actors.models import Actor, ActorAlias, Affiliation
from api.serializers.base import (
    CompleteRowsMixin,
    LinksMixin,
    ModelValidationMixin,
    RowListSerializer,
    SparseFieldsMixin,
    replace_rows,
)


def alias_key(alias):
    return (alias.name, alias.language)


class AliasSerializer(CompleteRowsMixin, ModelValidationMixin, serializers.ModelSerializer):
    class Meta:
        model = ActorAlias
        fields = ["name", "language"]
        list_serializer_class = RowListSerializer
        validation_exclude = ["actor"]  # the actor is being written in the same request


class AffiliationSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Affiliation
        fields = ["organization", "organization_name", "title", "start_date", "end_date"]


class ActorSerializer(SparseFieldsMixin, ModelValidationMixin, LinksMixin, serializers.ModelSerializer):
    aliases = AliasSerializer(many=True, required=False)
    affiliations = AffiliationSerializer(many=True, read_only=True)

    class Meta:
        model = Actor
        api_path = "/api/actors/{obj.slug}/"
        fields = [
            "slug",
            "name",
            "kind",
            "country",
            "description",
            "wikidata_id",
            "aliases",
            "affiliations",
            "status",
            "created_at",
            "updated_at",
            "api_url",
            "html_url",
        ]
        read_only_fields = ["status", "created_at", "updated_at"]
        validation_exclude = ["created_by", "updated_by"]

    def validate_aliases(self, rows):
        keys = [(row["name"], row.get("language", "")) for row in rows]
        if len(keys) != len(set(keys)):
            raise serializers.ValidationError("An alias is listed twice.")
        return rows

    @transaction.atomic
    def create(self, validated_data):
        aliases = validated_data.pop("aliases", [])
        actor = Actor.objects.create(**validated_data)
        replace_rows(ActorAlias.objects.none(), aliases, model=ActorAlias, parent={"actor": actor}, key=alias_key)
        return actor

    @transaction.atomic
    def update(self, instance, validated_data):
        aliases = validated_data.pop("aliases", None)
        actor = super().update(instance, validated_data)
        if aliases is not None:
            replace_rows(
                actor.aliases.all(),
                aliases,
                model=ActorAlias,
                parent={"actor": actor},
                key=alias_key,
            )
        return actor
