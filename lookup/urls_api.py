from django.urls import path

from .api import LookupSearchApi

urlpatterns = [
    path("search/", LookupSearchApi.as_view(), name="api-lookup-search"),
]
