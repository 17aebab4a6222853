"""Subject access (UU PDP No. 27/2022, art. 7 and 32): everything held about a household.

A resident downloads one ZIP: ``data.json`` (account, identity, the registered
household and its members, proposals with their members, matching results, documents
and timeline, field-visit and musdes outcomes, scores, desils and programme results,
objections, and who among the staff viewed their documents) plus the document files.
Data about *other* people is left out: matching candidates and duplicate flags name
strangers, and staff appear by role and region only.

Later apps (verification, eligibility, lookup) are reached through the app registry,
so this lower app does not import them.
"""

import json
import zipfile
from pathlib import PurePosixPath

from django.apps import apps
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


def _row(obj, *, exclude: tuple[str, ...] = ()) -> dict:
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


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:  # the app is not installed in this deployment
        return None


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


def _by_proposal(model, proposals) -> dict[int, list]:
    """``model``'s rows for the proposals, grouped by proposal (none if the app is absent)."""
    grouped: dict[int, list] = {}
    if model is not None:
        for row in model.objects.filter(proposal__in=proposals):
            grouped.setdefault(row.proposal_id, []).append(row)
    return grouped


def collect(user: User) -> tuple[dict, list[tuple[str, object]]]:
    """The export as a JSON-ready dict, and ``(path in zip, FieldFile)`` for each file."""
    files: list[tuple[str, object]] = []
    profile = getattr(user, "resident", None)
    data: dict = {
        "format": FORMAT_VERSION,
        "dibuat": timezone.now(),
        "akun": _row(user, exclude=("is_superuser", "is_staff", "password")),
    }
    identity_docs = list(IdentityDocument.objects.filter(profile=profile)) if profile else []
    if profile is not None:
        data["profil"] = _row(profile, exclude=("identity_reviewed_by",))
        data["dokumen_identitas"] = []
        for doc in identity_docs:
            path = f"dokumen/identitas-{doc.kind}-{doc.pk}.jpg"
            files.append((path, doc.image))
            data["dokumen_identitas"].append({**_row(doc, exclude=("image", "thumbnail")), "berkas": path})

    households = _households(user, profile)
    data["rumah_tangga"] = [{**_row(h), "anggota": [_row(m) for m in h.members.all()]} for h in households]

    proposals = list(
        Proposal.objects.filter(applicant=user)
        .prefetch_related(
            Prefetch("members", queryset=ProposalMember.objects.order_by("pk")),
            Prefetch("documents", queryset=ProposalDocument.objects.order_by("pk")),
            "events",
        )
        .order_by("created_at", "pk")
    )
    member_match = _model("verification.MemberMatch")
    visit_model = _model("verification.FieldVisit")
    item_model = _model("verification.DeliberationItem")
    # The verification app's rows, one query per kind for all the proposals.
    matches = (
        {m.member_id: m for m in member_match.objects.filter(member__proposal__in=proposals)} if member_match else {}
    )
    visits = _by_proposal(visit_model, proposals)
    items = _by_proposal(item_model, proposals)
    proposal_docs: list[ProposalDocument] = []
    data["usulan"] = []
    for proposal in proposals:
        members = []
        for member in proposal.members.all():
            row = _row(member)
            match = matches.get(member.pk)
            if match is not None:
                row["hasil_pencocokan"] = _row(match, exclude=("candidates", "duplicates", "record", "member"))
            members.append(row)
        documents = []
        for doc in proposal.documents.all():
            proposal_docs.append(doc)
            path = f"dokumen/usulan-{proposal.tracking_number}-{doc.kind}-{doc.pk}.jpg"
            files.append((path, doc.image))
            documents.append({**_row(doc, exclude=("image", "thumbnail", "uploaded_by")), "berkas": path})
        entry = {
            **_row(proposal, exclude=("entered_by",)),
            "anggota": members,
            "dokumen": documents,
            "riwayat": [_row(e, exclude=("actor", "proposal")) for e in proposal.events.all()],
        }
        if visit_model is not None:
            entry["kunjungan_lapangan"] = [
                _row(v, exclude=("verifier", "proposal")) for v in visits.get(proposal.pk, [])
            ]
        if item_model is not None:
            entry["musyawarah"] = [_row(i, exclude=("recorded_by", "proposal")) for i in items.get(proposal.pk, [])]
        data["usulan"].append(entry)

    household_ids = [h.pk for h in households]
    score_model = _model("eligibility.HouseholdScore")
    result_model = _model("eligibility.RecipientResult")
    if score_model is not None:
        data["skor_dan_desil"] = [_row(s) for s in score_model.objects.filter(household_id__in=household_ids)]
    if result_model is not None:
        data["hasil_program"] = [
            {**_row(r), "program": str(r.programme)}
            for r in result_model.objects.filter(household_id__in=household_ids).select_related("programme")
        ]
    objection_model = _model("lookup.Objection")
    if objection_model is not None:
        data["sanggah"] = [
            {
                **_row(o, exclude=("decided_by", "objector")),
                "riwayat": [_row(e, exclude=("actor",)) for e in o.events.all()],
            }
            for o in objection_model.objects.filter(objector=user).prefetch_related("events")
        ]

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
