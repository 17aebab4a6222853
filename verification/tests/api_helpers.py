"""Helpers for the workflow API tests: token clients and many proposals at once."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from registrations.models import Channel, Proposal, ProposalMember, ProposalStatus, User
from registrations.services.proposals import new_tracking_number
from registrations.tests.builders import kk_for, nik_for
from registrations.tests.personas import VILLAGE_A


def api_client(user: User | None = None) -> APIClient:
    """A client that authenticates with the user's API token (anonymous without one)."""
    client = APIClient()
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def url(name: str, *args) -> str:
    return reverse(f"api-workflow-{name}", args=args)


def bulk_submitted(count: int, *, operator: User, village: str = VILLAGE_A, members: int = 2) -> list[Proposal]:
    """Walk-in proposals already submitted, written directly (no documents): enough for
    lists and query counts, without running the intake ``count`` times."""
    district = village.rsplit(".", 1)[0]
    now = timezone.now()
    proposals = Proposal.objects.bulk_create(
        [
            Proposal(
                tracking_number=new_tracking_number(),
                channel=Channel.OFFLINE,
                status=ProposalStatus.SUBMITTED,
                entered_by=operator,
                kk_number=kk_for(district),
                village_id=village,
                address="Jl. Uji",
                rt="001",
                rw="002",
                submitted_at=now,
                status_changed_at=now - datetime.timedelta(minutes=i),
            )
            for i in range(count)
        ]
    )
    births = [datetime.date(1980, 1, 1), datetime.date(1982, 5, 5), datetime.date(2010, 3, 3)]
    relations = ["kepala", "pasangan", "anak"]
    ProposalMember.objects.bulk_create(
        [
            ProposalMember(
                proposal=p,
                nik=nik_for(births[j], "L" if j != 1 else "P", district),
                full_name=f"Anggota {j}",
                relation=relations[j],
                birth_place="Bandung",
                birth_date=births[j],
                sex="L" if j != 1 else "P",
                marital_status="kawin" if j < 2 else "belum_kawin",
                education="sd",
                occupation="buruh",
            )
            for p in proposals
            for j in range(members)
        ]
    )
    return proposals
