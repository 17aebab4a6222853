"""Usul sanggah pages: the resident files and follows; operator and Dinas Sosial decide.

Residents reach only their own cases (``objections_of_objector``); staff reach the
cases of their region through ``get_scoped_object_or_404`` (others answer 404).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from dtsen_portal.errors import DomainError
from registrations.permissions import may, user_may
from registrations.scoping import get_scoped_object_or_404
from registrations.views.documents import serve_private_document

from ..forms import MissingNeighbourForm, MoveForm, ObjectionForm
from ..models import Objection, ObjectionEvidence, ObjectionKind, ObjectionStatus
from ..sanggah_workflow import MOVES, moves_for, objection_move
from ..selectors import objections_for_staff, objections_of_objector
from ..services import objection_file, picked_person, resident_village


def _resident_or_refuse(request) -> str:
    village = resident_village(request.user)
    if village is None:
        raise PermissionDenied(_("Sanggah hanya untuk warga yang identitasnya sudah dikonfirmasi operator desa."))
    return village


def _file(request, form, *, kind: str, pick: str = ""):
    data = form.cleaned_data
    try:
        objection = objection_file(
            objector=request.user,
            kind=kind,
            reason=data["reason"],
            statement=data["statement"],
            photos=data.get("photos") or [],
            pick=pick,
            person_name=data.get("person_name", ""),
            rt=data.get("rt", ""),
            rw=data.get("rw", ""),
        )
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None
    messages.success(
        request,
        _("Sanggah %(number)s diterima. Anda akan diberi tahu hasilnya lewat e-mail dan menu Sanggah saya.")
        % {"number": objection.number},
    )
    return redirect("sanggah-mine")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def sanggah_new(request):
    """Object that a person found in the lookup does not qualify."""
    village = _resident_or_refuse(request)
    pick = request.POST.get("pilih") or request.GET.get("pilih", "")
    try:
        person = picked_person(pick)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("lookup")
    if person.village_code != village:
        raise PermissionDenied(_("Sanggah hanya untuk warga desa/kelurahan Anda sendiri."))
    form = ObjectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        response = _file(request, form, kind=ObjectionKind.NOT_ELIGIBLE, pick=pick)
        if response:
            return response
    context = {"form": form, "masked_name": person.masked_name, "pick": pick}
    return render(request, "lookup/sanggah_form.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def sanggah_missing(request):
    """Propose a neighbour who qualifies but is not in DTSEN."""
    _resident_or_refuse(request)
    form = MissingNeighbourForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        response = _file(request, form, kind=ObjectionKind.MISSING)
        if response:
            return response
    return render(request, "lookup/sanggah_form.html", {"form": form, "missing": True})


@never_cache
@login_required
def sanggah_mine(request):
    if not user_may(request.user, "resident"):
        raise PermissionDenied
    return render(
        request,
        "lookup/sanggah_mine.html",
        {"objections": objections_of_objector(request.user), "can_file": resident_village(request.user) is not None},
    )


QUEUE_PAGE_SIZE = 50


@never_cache
@may("sanggah.handle")
def sanggah_queue(request):
    status = request.GET.get("status", "")
    status = status if status in ObjectionStatus.values else ""
    objections = objections_for_staff(request.user, status=status or None)
    page = Paginator(objections, QUEUE_PAGE_SIZE).get_page(request.GET.get("halaman"))
    return render(
        request,
        "lookup/sanggah_queue.html",
        {"page": page, "objections": page.object_list, "status": status, "statuses": ObjectionStatus.choices},
    )


@never_cache
@may("sanggah.handle")
def sanggah_detail(request, number: str):
    objection = get_scoped_object_or_404(
        Objection.objects.select_related("village", "objector", "decided_by"), request.user, number=number
    )
    context = {
        "objection": objection,
        "events": objection.events.all(),
        "evidence": objection.evidence.all(),
        "moves": moves_for(objection, request.user),
        "form": MoveForm(),
    }
    return render(request, "lookup/sanggah_detail.html", context)


@login_required  # anonymous: the login page; then 405 for a GET; then the role
@require_POST
@may("sanggah.handle")
def sanggah_move(request, number: str, move: str):
    objection = get_scoped_object_or_404(Objection.objects.all(), request.user, number=number)
    if move not in MOVES:
        raise PermissionDenied
    form = MoveForm(request.POST)
    form.is_valid()
    try:
        objection_move(objection_id=objection.pk, actor=request.user, move=move, note=form.cleaned_data.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Sanggah %(number)s diperbarui.") % {"number": objection.number})
    return redirect("sanggah-detail", number)


@never_cache
@login_required
def sanggah_evidence(request, pk: int, variant: str = "full"):
    evidence = get_object_or_404(ObjectionEvidence.objects.select_related("objection"), pk=pk)
    return serve_private_document(
        request,
        evidence,
        owner_id=evidence.objection.objector_id,
        village_code=evidence.objection.village_id,
        document_type="sanggah",
        variant=variant,
    )
