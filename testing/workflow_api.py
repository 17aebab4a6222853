"""Requests of the workflow API (``/api/workflow/``) for tests: the body of each step
(open a musdes, record a field visit, a batch of the regency or the province, the
ministry's determination round) with today's date, and a proposal's status read fresh."""

import datetime

from registrations.models import Proposal
from testing.api import url
from testing.workflow import TODAY

#: The date in every body: the builders' ``TODAY``, or today if that comes first (the API
#: refuses dates in the future).
DAY = min(TODAY, datetime.date.today()).isoformat()


def status_of(proposal) -> str:
    return Proposal.objects.values_list("status", flat=True).get(pk=proposal.pk)


def open_musdes(client, **overrides):
    body = {
        "basis": "musdes",
        "held_on": DAY,
        "place": "Balai Desa Dayeuhkolot",
        "chair": "Asep Sunandar",
        "chair_position": "Kepala Desa",
    } | overrides
    return client.post(url("musdes-list"), body, format="json")


def visit_body(**overrides) -> dict:
    return {
        "visited_on": DAY,
        "result": "layak",
        "notes": "",
        "no_fixed_income": True,
        "poor_roof": True,
        "floor_area_m2": "20.5",
        "monthly_income": 900000,
    } | overrides


def batch_body(proposals, number) -> dict:
    return {"tracking_numbers": [p.tracking_number for p in proposals], "number": number, "document_date": DAY}


def determination_body(determine=(), not_determine=(), number="PEN-1") -> dict:
    return {
        "period": "2026-Q4",
        "number": number,
        "document_date": DAY,
        "determine": [p.tracking_number for p in determine],
        "not_determine": [p.tracking_number for p in not_determine],
        "reason": "Tidak memenuhi kriteria." if not_determine else "",
    }
