"""Programmes and their quotas: ministry staff edit, regional staff read their own."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from registrations.models import Household, Region, RegionLevel
from registrations.permissions import may, user_may
from registrations.scoping import q_within

from .. import services
from ..forms import ProgrammeForm
from ..models import Programme, Quota
from .common import chosen_period, periods_for_select


@never_cache
@may("eligibility.read")
def programme_list(request):
    period = chosen_period(request)
    programmes = list(Programme.objects.order_by("id"))
    quotas = Quota.objects.filter(period=period).visible_to(request.user)
    ministry = user_may(request.user, "eligibility.manage")
    totals = {
        row["programme_id"]: row
        for row in quotas.values("programme_id").annotate(regencies=Count("id"), size=Sum("size")).order_by()
    }
    for p in programmes:
        p.quota_total = totals.get(p.pk, {}).get("size")
        p.quota_regencies = totals.get(p.pk, {}).get("regencies", 0)
    table = []
    if not ministry:
        by_regency: dict[str, dict[int, int]] = {}
        for regency, programme_id, size in quotas.values_list("regency_id", "programme_id", "size"):
            by_regency.setdefault(regency, {})[programme_id] = size
        names = {r.code: r.display_name for r in Region.objects.filter(code__in=list(by_regency))}
        table = [
            {"code": code, "name": names.get(code, code), "sizes": [by_regency[code].get(p.pk) for p in programmes]}
            for code in sorted(by_regency)
        ]
    return render(
        request,
        "eligibility/programme_list.html",
        {
            "programmes": programmes,
            "period": period,
            "periods": periods_for_select(),
            "ministry": ministry,
            "table": table,
        },
    )


@never_cache
@may("eligibility.manage")
def programme_edit(request, code: str):
    programme = get_object_or_404(Programme, code=code)
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        services.programme_update(
            programme=programme, user=request.user, **{f: form.cleaned_data[f] for f in form.fields}
        )
        messages.success(request, _("Kriteria program disimpan; berlaku pada penetapan berikutnya."))
        return redirect("eligibility-programme-list")
    return render(request, "eligibility/programme_edit.html", {"programme": programme, "form": form})


@never_cache
@may("eligibility.manage")
def quota_edit(request, code: str):
    programme = get_object_or_404(Programme, code=code)
    period = chosen_period(request)
    provinces = list(Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code"))
    province = request.GET.get("provinsi") or "32"
    if province not in {p.code for p in provinces}:
        province = provinces[0].code if provinces else ""
    regencies = list(Region.objects.filter(level=RegionLevel.REGENCY, parent_id=province).order_by("code"))
    if request.method == "POST":
        sizes: dict[str, int | None] = {}
        errors = []
        for regency in regencies:
            if f"kuota-{regency.code}" not in request.POST:
                continue  # not on the submitted form: left as it is
            raw = request.POST[f"kuota-{regency.code}"].strip().replace(".", "")
            if raw == "":
                sizes[regency.code] = None
            elif raw.isdigit() and int(raw) <= 100_000_000:
                sizes[regency.code] = int(raw)
            else:
                errors.append(regency.display_name)
        if errors:
            messages.error(
                request, _("Kuota harus bilangan bulat 0 atau lebih: %(names)s.") % {"names": ", ".join(errors)}
            )
        else:
            try:
                changed = services.quotas_save(programme=programme, period=period, sizes=sizes, user=request.user)
            except ValidationError as exc:
                messages.error(request, exc.messages[0])
            else:
                messages.success(request, _("%(n)s kuota diubah.") % {"n": changed})
                return redirect(f"{request.path}?periode={period}&provinsi={province}")
    current = dict(
        Quota.objects.filter(programme=programme, period=period, regency__parent_id=province).values_list(
            "regency_id", "size"
        )
    )
    households = dict(
        Household.objects.filter(q_within("village__code", province), registered_at__isnull=False)
        .annotate(regency=Substr("village_id", 1, 5))
        .values_list("regency")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = [{"region": r, "size": current.get(r.code), "households": households.get(r.code, 0)} for r in regencies]
    return render(
        request,
        "eligibility/quota_edit.html",
        {
            "programme": programme,
            "period": period,
            "periods": periods_for_select(),
            "provinces": provinces,
            "province": province,
            "rows": rows,
        },
    )
