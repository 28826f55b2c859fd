"""The directory in the REST API (/api/v1/directory/): public, read-only, throttled per address."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from civicportal.accounts.models import Department
from civicportal.api import absolute_url
from civicportal.dbrouting import reads_may_lag
from civicportal.throttling import AddressRateThrottle, AnonRateThrottle, UserRateThrottle
from directory import selectors
from directory.views import MAX_QUERY


class DirectoryThrottle(AddressRateThrottle):
    """Per client address, signed in or not: the directory is public and easy to scrape."""

    scope = "directory"


class CategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name_ko = serializers.CharField()
    name_en = serializers.CharField()


class DistrictSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_ko = serializers.CharField()
    name_en = serializers.CharField()


class HandlesSerializer(serializers.Serializer):
    categories = CategorySerializer(many=True)
    kinds = serializers.ListField(child=serializers.CharField(), help_text="Complaint kinds routed here.")
    keywords = serializers.ListField(child=serializers.CharField(), help_text="Words in a case that route it here.")
    district = DistrictSerializer(
        allow_null=True, help_text="The district whose otherwise unrouted cases this department takes."
    )
    takes_unrouted = serializers.BooleanField(help_text="Takes every case that no rule routes elsewhere.")


class DepartmentLinkSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_ko = serializers.CharField()
    name_en = serializers.CharField()
    kind = serializers.ChoiceField(choices=Department.Kind.choices)


class EntrySerializer(serializers.Serializer):
    code = serializers.CharField(source="department.code")
    name = serializers.CharField(source="department.name", help_text="In the language of the request.")
    name_ko = serializers.CharField(source="department.name_ko")
    name_en = serializers.CharField(source="department.name_en")
    kind = serializers.ChoiceField(source="department.kind", choices=Department.Kind.choices)
    parent = serializers.CharField(source="department.parent.code", default=None, allow_null=True)
    district = serializers.CharField(source="department.district.code", default=None, allow_null=True)
    phone = serializers.CharField(source="department.phone")
    address = serializers.CharField(source="department.address", help_text="In the language of the request.")
    address_ko = serializers.CharField(source="department.address_ko")
    address_en = serializers.CharField(source="department.address_en")
    email = serializers.CharField(source="department.email", help_text="The department's address, never a person's.")
    handles = HandlesSerializer()
    page_url = serializers.SerializerMethodField()

    def get_page_url(self, entry) -> str:
        return absolute_url(self, reverse("directory:department", args=[entry.code]))


class RoleSerializer(serializers.Serializer):
    role = serializers.CharField(source="label")
    count = serializers.IntegerField()
    names = serializers.ListField(
        child=serializers.CharField(), help_text="Only the names the city chose to publish; maybe none."
    )


class EntryDetailSerializer(EntrySerializer):
    ancestors = DepartmentLinkSerializer(source="department.ancestors", many=True)
    children = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()

    @extend_schema_field(DepartmentLinkSerializer(many=True))
    def get_children(self, entry):
        return DepartmentLinkSerializer([child.department for child in entry.children], many=True).data

    @extend_schema_field(RoleSerializer(many=True))
    def get_roles(self, entry):
        return RoleSerializer(selectors.roles_in(entry.department), many=True).data


@reads_may_lag
class _Public:
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle, DirectoryThrottle]
    filter_backends: list = []


class DepartmentList(_Public, generics.ListAPIView):
    """Every active department, or those matching ``q`` (Korean or English, by name or by what
    they handle); ``kind`` narrows to one kind. Ordered as the directory page lists them."""

    serializer_class = EntrySerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Words in Korean or English."),
            OpenApiParameter("kind", str, enum=Department.Kind.values),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = self.request.query_params.get("q", "").strip()[:MAX_QUERY]
        kind = self.request.query_params.get("kind", "")
        if kind and kind not in Department.Kind.values:
            raise serializers.ValidationError({"kind": [_("Choose one of the department kinds.")]})
        entries = selectors.search(query) if query else selectors.all_entries()
        return [e for e in entries if e.department.kind == kind] if kind else entries


class DepartmentDetail(_Public, generics.RetrieveAPIView):
    """One department: its contact, what it handles, the departments above and under it, and
    the roles in it (names only where the city publishes them)."""

    serializer_class = EntryDetailSerializer

    def get_object(self):
        return selectors.get_entry(self.kwargs["code"])
