from django.contrib.auth import authenticate
from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.generics import RetrieveUpdateAPIView
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from civicportal.accounts import permissions, services
from civicportal.accounts.models import CitizenProfile, District, normalise_mobile
from civicportal.throttling import ScopedRateThrottle


@extend_schema_field({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$", "example": "22:00"})
class LocalTimeField(serializers.TimeField):
    """A wall-clock time in Asia/Seoul, "HH:MM" (no offset, unlike JSON Schema's "time")."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], **kwargs)


class DistrictCodeField(serializers.SlugRelatedField):
    """A district code such as "11440"; null clears it, an empty string is an error."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=District.objects.all(), **kwargs)

    def run_validation(self, data=serializers.empty):
        if data == "":
            raise serializers.ValidationError("Give a district code, or null.")
        return super().run_validation(data)


class ProfileSerializer(serializers.ModelSerializer):
    mobile = serializers.CharField(required=False, allow_blank=True, write_only=True)
    mobile_masked = serializers.CharField(read_only=True)
    mobile_verified = serializers.BooleanField(read_only=True)
    district = DistrictCodeField(allow_null=True, required=False)
    quiet_hours_start = LocalTimeField(allow_null=True, required=False)
    quiet_hours_end = LocalTimeField(allow_null=True, required=False)

    class Meta:
        model = CitizenProfile
        fields = [
            "birth_year",
            "gender",
            "district",
            "dong",
            "mobile",
            "mobile_masked",
            "mobile_verified",
            "preferred_language",
            "consent_in_app",
            "consent_email",
            "consent_sms",
            "consent_push",
            "quiet_hours_start",
            "quiet_hours_end",
            "location_consent",
            "home_lat",
            "home_lon",
        ]

    def validate_mobile(self, value):
        if not value:
            return ""
        try:
            return normalise_mobile(value)
        except Exception as exc:
            raise serializers.ValidationError("Enter a valid mobile phone number.") from exc


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True)
    full_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    roles = serializers.SerializerMethodField()
    departments = serializers.SerializerMethodField()
    profile = ProfileSerializer(required=False)

    def get_roles(self, user) -> list[str]:
        return sorted(permissions.roles_of(user))

    def get_departments(self, user) -> list[str]:
        return list(user.departments.values_list("code", flat=True))

    def to_representation(self, user):
        user.profile = services.profile_for(user)
        return super().to_representation(user)

    @transaction.atomic
    def update(self, user, validated_data):
        if "full_name" in validated_data:
            user.full_name = validated_data["full_name"]
            user.save(update_fields=["full_name"])
        profile_data = validated_data.get("profile")
        if profile_data:
            services.profile_update(user=user, actor=self.context["request"].user, **profile_data)
        return user


class MeView(RetrieveUpdateAPIView):
    """The current user's account, roles and profile (consents included)."""

    serializer_class = MeSerializer
    permission_classes = [IsAuthenticated]
    # The profile is a nested object: only JSON can carry it (form data would drop it silently).
    parser_classes = [JSONParser]

    def get_object(self):
        return self.request.user


class TokenObtainSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenView(APIView):
    """Obtain (POST) or revoke (DELETE) the API token of a mobile client."""

    throttle_scope = "token_obtain"
    permission_classes = [AllowAny]

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.request.method == "POST":
            throttles.append(ScopedRateThrottle())
        return throttles

    def get_permissions(self):
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(
        request=TokenObtainSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request):
        serializer = TokenObtainSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # django-axes counts failures against the underlying HttpRequest.
        user = authenticate(request=request._request, **serializer.validated_data)
        if user is None or not user.is_active:
            raise AuthenticationFailed("Unable to log in with the given username and password.")
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
