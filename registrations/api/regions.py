"""Public region API: the hierarchy is public information (Kepmendagri)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny

from registrations.models import Region
from registrations.selectors import region_children, region_search


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent_id", allow_null=True)

    class Meta:
        model = Region
        fields = ["code", "name", "level", "kind", "parent", "postal_code"]


class RegionListApi(generics.ListAPIView):
    """Provinces, or the children of ``?parent=CODE``; ``?q=`` searches by name."""

    serializer_class = RegionSerializer
    permission_classes = [AllowAny]
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter("parent", OpenApiTypes.STR, description="Kode wilayah induk, mis. 32.04"),
            OpenApiParameter("q", OpenApiTypes.STR, description="Cari nama wilayah (minimal 3 huruf)"),
            OpenApiParameter("level", OpenApiTypes.INT, description="Batasi pencarian ke tingkat 1-4"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = self.request.query_params.get("q", "").strip()
        if query:
            level = self.request.query_params.get("level")
            return region_search(query, level=int(level) if level and level.isdigit() else None)
        parent = self.request.query_params.get("parent", "").strip() or None
        if parent and not Region.objects.filter(code=parent).exists():
            raise NotFound(f"Wilayah {parent} tidak ditemukan.")
        return region_children(parent)


class RegionDetailApi(generics.RetrieveAPIView):
    serializer_class = RegionSerializer
    permission_classes = [AllowAny]
    queryset = Region.objects.all()
    lookup_field = "code"
    lookup_value_regex = r"[0-9.]+"
