"""Household API for staff systems; every query goes through the region scope."""

from rest_framework import generics, serializers

from registrations.models import Household, Member
from registrations.permissions import api_may
from registrations.scoping import get_scoped_object_or_404
from registrations.selectors import household_queryset, households_for_user


class MemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = Member
        fields = [
            "id",
            "nik",
            "full_name",
            "birth_place",
            "birth_date",
            "sex",
            "relation",
            "marital_status",
            "occupation",
        ]


class HouseholdSerializer(serializers.ModelSerializer):
    village = serializers.CharField(source="village_id")
    village_name = serializers.CharField(source="village.display_name")
    members = MemberSerializer(many=True)

    class Meta:
        model = Household
        fields = ["id", "kk_number", "village", "village_name", "address", "rt", "rw", "members"]


class HouseholdListApi(generics.ListAPIView):
    """Households in the caller's region (village, regency, province or national)."""

    serializer_class = HouseholdSerializer
    permission_classes = [api_may("staff")]

    def get_queryset(self):
        queryset = households_for_user(self.request.user)
        village = self.request.query_params.get("village")
        if village:
            queryset = queryset.filter(village_id=village)
        return queryset


class HouseholdDetailApi(generics.RetrieveAPIView):
    serializer_class = HouseholdSerializer
    permission_classes = [api_may("staff")]

    def get_object(self):
        return get_scoped_object_or_404(household_queryset(), self.request.user, pk=self.kwargs["pk"])
