"""The published tables through the REST API, mounted under /api/v1/opendata/: public,
read-only, filtered and paginated. The same rows as the downloads."""

import django_filters
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from civicportal.dbrouting import reads_may_lag
from opendata import selectors
from opendata.datasets import CASES, CONTACTS, POLLS, PROPOSALS, license_info
from opendata.models import OpenCase, OpenContactDay


class _FieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField()
    ko = serializers.CharField()
    en = serializers.CharField()


class _DatasetEntrySerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.DictField(child=serializers.CharField())
    description = serializers.DictField(child=serializers.CharField())
    refreshed_at = serializers.DateTimeField(allow_null=True)
    rows = serializers.IntegerField()
    api = serializers.URLField()
    csv = serializers.URLField()
    json = serializers.URLField()
    fields = _FieldSerializer(many=True)


class _LicenseSerializer(serializers.Serializer):
    code = serializers.CharField()
    url = serializers.URLField()
    name = serializers.CharField()


class DatasetIndexSerializer(serializers.Serializer):
    license = _LicenseSerializer()
    datasets = _DatasetEntrySerializer(many=True)


@reads_may_lag
class DatasetIndex(APIView):
    """The catalogue: each dataset with its refresh time, row count and links."""

    permission_classes = [AllowAny]

    @extend_schema(responses=DatasetIndexSerializer)
    def get(self, request):
        rows = []
        for spec, row in selectors.catalogue():
            rows.append(
                {
                    "slug": spec.slug,
                    "title": {"ko": spec.title_ko, "en": spec.title_en},
                    "description": {"ko": spec.description_ko, "en": spec.description_en},
                    "refreshed_at": row.refreshed_at if row else None,
                    "rows": row.row_count if row else 0,
                    "api": request.build_absolute_uri(reverse(f"opendata-api-{spec.slug}")),
                    "csv": request.build_absolute_uri(reverse("opendata:download_csv", args=[spec.slug])),
                    "json": request.build_absolute_uri(reverse("opendata:download_json", args=[spec.slug])),
                    "fields": [{"name": f.name, "type": f.type, "ko": f.ko, "en": f.en} for f in spec.fields],
                }
            )
        return Response({"license": license_info("en"), "datasets": rows})


def _serializer(spec):
    meta = type("Meta", (), {"model": spec.model, "fields": spec.field_names})
    return type(f"{spec.model.__name__}Serializer", (serializers.ModelSerializer,), {"Meta": meta})


class CaseFilter(django_filters.FilterSet):
    filed_from = django_filters.DateFilter(field_name="filed_week", lookup_expr="gte", label="filed_week ≥")
    filed_to = django_filters.DateFilter(field_name="filed_week", lookup_expr="lte", label="filed_week ≤")

    class Meta:
        model = OpenCase
        fields = ["kind", "category", "channel", "district", "dong", "department", "status", "precision"]


class ContactFilter(django_filters.FilterSet):
    day_from = django_filters.DateFilter(field_name="day", lookup_expr="gte")
    day_to = django_filters.DateFilter(field_name="day", lookup_expr="lte")

    class Meta:
        model = OpenContactDay
        fields = ["channel", "language", "topic"]


@reads_may_lag
class _PublicList(generics.ListAPIView):
    permission_classes = [AllowAny]
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, OrderingFilter]

    def get_queryset(self):
        return self.spec.model.objects.order_by("pk")


class CaseList(_PublicList):
    spec = CASES
    serializer_class = _serializer(CASES)
    filterset_class = CaseFilter
    ordering_fields = ["filed_week", "processing_hours", "pk"]


class ContactList(_PublicList):
    spec = CONTACTS
    serializer_class = _serializer(CONTACTS)
    filterset_class = ContactFilter
    ordering_fields = ["day", "contacts", "pk"]


class PollResultList(_PublicList):
    spec = POLLS
    serializer_class = _serializer(POLLS)
    filterset_fields = ["poll", "district", "department"]
    ordering_fields = ["poll", "pk"]


class ProposalList(_PublicList):
    spec = PROPOSALS
    serializer_class = _serializer(PROPOSALS)
    filterset_fields = ["status", "outcome", "district", "department"]
    ordering_fields = ["votes", "submitted_date", "required_budget", "pk"]
