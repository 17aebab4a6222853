"""Subject access (UU PDP No. 27/2022, art. 7 and 32): everything held about a household.

A resident downloads one ZIP: ``data.json`` (account, identity, the registered
household and its members, proposals with their members, matching results, documents
and timeline, field-visit and musdes outcomes, scores, desils and programme results,
objections, and who among the staff viewed their documents) plus the document files.
Data about *other* people is left out: matching candidates and duplicate flags name
strangers, and staff appear by role and region only.

What the higher apps hold (matching, visits and musdes outcomes, scores and results,
objections) comes from their own sections, ``SECTIONS``, so this lower app names none
of them.
"""

import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone

from registrations.models import (
    DocumentAccess,
    Household,
    IdentityDocument,
    Member,
    Proposal,
    ProposalDocument,
    ProposalMember,
    User,
)

FORMAT_VERSION = 1


@dataclass
class Export:
    """One resident's export while it is built: what registrations found, for the sections."""

    user: User
    households: list[Household]
    proposals: list[Proposal]
    #: The JSON, top-level keys in order; a section appends its own keys.
    data: dict
    #: Each proposal's entry in ``data["usulan"]`` by proposal id, and each proposal
    #: member's row in it by member id: a section adds keys to them.
    proposal_entries: dict[int, dict]
    member_rows: dict[int, dict]


#: The higher apps' parts of the export: ``section(export)`` adds keys to ``export.data``,
#: to proposal entries or member rows, reading its rows one query per kind (never per
#: proposal). Filled in ``AppConfig.ready()`` through ``register_section`` by the app that
#: holds the data (verification: matching, field visits, musdes; eligibility: scores and
#: programme results; lookup: objections), so the order is INSTALLED_APPS order; run
#: after the proposals and before the staff access log, which stays last.
SECTIONS: list[Callable[[Export], None]] = []


def register_section(section: Callable[[Export], None]) -> None:
    if section not in SECTIONS:
        SECTIONS.append(section)


def fields_of(obj, *, exclude: tuple[str, ...] = ()) -> dict:
    """Every concrete field of ``obj``; choices with their label, files by name only."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude or field.name in {"password"}:
            continue
        value = getattr(obj, field.attname)
        if isinstance(field, models.FileField):
            value = PurePosixPath(value.name).name if value else ""
        data[field.attname] = value
        if field.choices and value not in (None, ""):
            data[f"{field.name}_label"] = str(getattr(obj, f"get_{field.name}_display")())
    return data


def _households(user: User, profile) -> list[Household]:
    query = Q(proposals__applicant=user)
    if profile is not None:
        query |= Q(kk_number=profile.kk_number) | Q(members__nik=profile.nik)
    members = Prefetch("members", queryset=Member.objects.order_by("pk"))
    return list(Household.objects.filter(query).distinct().prefetch_related(members).order_by("pk"))


def _staff(user_id: int, users: dict[int, User]) -> dict:
    staff = users.get(user_id)
    if staff is None:
        return {}
    return {"peran": staff.get_role_display(), "wilayah": staff.region.display_name if staff.region_id else ""}


def collect(user: User) -> tuple[dict, list[tuple[str, object]]]:
    """The export as a JSON-ready dict, and ``(path in zip, FieldFile)`` for each file."""
    files: list[tuple[str, object]] = []
    profile = getattr(user, "resident", None)
    data: dict = {
        "format": FORMAT_VERSION,
        "dibuat": timezone.now(),
        "akun": fields_of(user, exclude=("is_superuser", "is_staff", "password")),
    }
    identity_docs = list(IdentityDocument.objects.filter(profile=profile)) if profile else []
    if profile is not None:
        data["profil"] = fields_of(profile, exclude=("identity_reviewed_by",))
        data["dokumen_identitas"] = []
        for doc in identity_docs:
            path = f"dokumen/identitas-{doc.kind}-{doc.pk}.jpg"
            files.append((path, doc.image))
            data["dokumen_identitas"].append({**fields_of(doc, exclude=("image", "thumbnail")), "berkas": path})

    households = _households(user, profile)
    data["rumah_tangga"] = [{**fields_of(h), "anggota": [fields_of(m) for m in h.members.all()]} for h in households]

    proposals = list(
        Proposal.objects.filter(applicant=user)
        .prefetch_related(
            Prefetch("members", queryset=ProposalMember.objects.order_by("pk")),
            Prefetch("documents", queryset=ProposalDocument.objects.order_by("pk")),
            "events",
        )
        .order_by("created_at", "pk")
    )
    proposal_docs: list[ProposalDocument] = []
    proposal_entries: dict[int, dict] = {}
    member_rows: dict[int, dict] = {}
    data["usulan"] = []
    for proposal in proposals:
        members = []
        for member in proposal.members.all():
            row = member_rows[member.pk] = fields_of(member)
            members.append(row)
        documents = []
        for doc in proposal.documents.all():
            proposal_docs.append(doc)
            path = f"dokumen/usulan-{proposal.tracking_number}-{doc.kind}-{doc.pk}.jpg"
            files.append((path, doc.image))
            documents.append({**fields_of(doc, exclude=("image", "thumbnail", "uploaded_by")), "berkas": path})
        entry = {
            **fields_of(proposal, exclude=("entered_by",)),
            "anggota": members,
            "dokumen": documents,
            "riwayat": [fields_of(e, exclude=("actor", "proposal")) for e in proposal.events.all()],
        }
        proposal_entries[proposal.pk] = entry
        data["usulan"].append(entry)

    export = Export(user, households, proposals, data, proposal_entries, member_rows)
    for section in SECTIONS:
        section(export)

    accesses = list(
        DocumentAccess.objects.filter(
            Q(document_type="identitas", document_id__in=[d.pk for d in identity_docs])
            | Q(document_type="usulan", document_id__in=[d.pk for d in proposal_docs])
        ).order_by("accessed_at")
    )
    viewers = User.objects.select_related("region").in_bulk({a.user_id for a in accesses})
    data["akses_dokumen_oleh_petugas"] = [
        {
            "waktu": a.accessed_at,
            "dokumen": f"{a.document_type}#{a.document_id}",
            "varian": a.variant,
            **_staff(a.user_id, viewers),
        }
        for a in accesses
    ]
    return data, files


def write_zip(user: User, target) -> int:
    """Write the export of ``user`` into the file-like ``target``; returns the file count."""
    data, files = collect(user)
    written = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
        archive.writestr("BACA-SAYA.txt", README)
        for path, field_file in files:
            try:
                with field_file.open("rb") as handle:
                    archive.writestr(path, handle.read())
            except (FileNotFoundError, ValueError):
                continue  # removed under the retention rule: the JSON still lists it
            written += 1
    return written


README = """Data Anda di Portal DTSEN
=========================

data.json  semua data tentang akun, identitas, rumah tangga, usulan (dengan riwayat
           prosesnya), hasil pencocokan data kependudukan, skor/desil, hasil program,
           sanggah, dan daftar petugas yang melihat dokumen Anda (peran dan wilayah).
dokumen/   foto dokumen yang Anda unggah.

Bila ada data yang salah, ajukan perbaikan lewat menu "Data saya" > "Ajukan perbaikan
data" (usulan perubahan data). Hak Anda diatur dalam UU No. 27 Tahun 2022 tentang
Pelindungan Data Pribadi.
"""
