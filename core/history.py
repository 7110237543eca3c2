"""Reading the history (django-simple-history) for the public: corrections and the changes feed."""


def corrections(obj):
    """Changes to published facts: each save that changed a public field of the entry while it
    was public, oldest first, with the editor's reason. One query."""
    fields = obj.corrected_fields
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
