"""The partner API of the public lookup, mounted at ``/api/lookup/``."""

from django.urls import path

from lookup.api.views import LookupSearchApi

urlpatterns = [
    path("search/", LookupSearchApi.as_view(), name="api-lookup-search"),
]
