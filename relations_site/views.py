from django.views.generic import DetailView


class PublishedDetailView(DetailView):
    """A detail page that the public sees only when published.

    Signed-in staff (editors) see drafts too, as a preview with a banner; to anyone
    else a draft's address answers 404.
    """

    def get_base_queryset(self):
        return self.model.objects.all()

    def get_queryset(self):
        queryset = self.get_base_queryset()
        if self.request.user.is_staff:
            return queryset
        return queryset.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_preview"] = not self.object.is_published
        return context
