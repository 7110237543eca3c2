"""Reading the history (django-simple-history) for the public: corrections and the changes feed."""

PUBLIC_FIELDS = {
    "event": ["title", "summary", "event_type", "start_date", "end_date", "date_precision", "location", "country"],
    "quote": [
        "text",
        "speaker",
        "speaker_title",
        "said_on",
        "said_on_precision",
        "source",
        "event",
        "is_paraphrase",
        "original_text",
    ],
    "actor": ["name", "kind", "country", "description", "wikidata_id"],
    "source": ["title", "url", "publisher", "author", "published_on", "language", "kind", "archive_url"],
}


def corrections(obj):
    """Changes to published facts: each save that changed a public field of the entry while it
    was public, oldest first, with the editor's reason. One query."""
    fields = PUBLIC_FIELDS[obj._meta.model_name]
    labels = {name: obj._meta.get_field(name).verbose_name for name in fields}
    result, previous = [], None
    for record in obj.history.order_by("history_date", "history_id"):
        if previous is not None and previous.status == "published":
            changed = record.diff_against(previous, included_fields=fields).changed_fields
            if changed:
                result.append(
                    {
                        "date": record.history_date,
                        "fields": [str(labels[name]) for name in fields if name in changed],
                        "reason": record.history_change_reason or "",
                    }
                )
        previous = record
    return result
