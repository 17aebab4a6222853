"""The only way out for personal documents: a permission check, then the bytes
(``registrations/private_files.py``).

Residents see their own; staff see those of their region, and every staff view is
recorded in ``DocumentAccess``. Responses are never cached by browsers or proxies.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache

from registrations.models import IdentityDocument, ProposalDocument
from registrations.permissions import user_may
from registrations.private_files import Access, serve_private_file

VARIANTS = {"full": "image", "thumb": "thumbnail"}


def serve_private_document(request, document, *, owner_id, village_code, document_type: str, variant: str):
    if variant not in VARIANTS:
        raise Http404
    user = request.user
    is_owner = owner_id is not None and owner_id == user.pk
    is_staff_in_scope = user_may(user, "staff", region=village_code)
    if not (is_owner or is_staff_in_scope):
        raise Http404  # same answer as a missing document: existence is not revealed
    return serve_private_file(
        request,
        getattr(document, VARIANTS[variant]).name,
        filename=f"{document_type}-{document.pk}-{variant}.jpg",
        content_type="image/jpeg",
        log=None if is_owner else Access(document_type, document.pk, variant),
    )


@never_cache
@login_required
def identity_document(request, pk: int, variant: str = "full"):
    document = get_object_or_404(IdentityDocument.objects.select_related("profile"), pk=pk)
    return serve_private_document(
        request,
        document,
        owner_id=document.profile.user_id,
        village_code=document.profile.village_id,
        document_type="identitas",
        variant=variant,
    )


@never_cache
@login_required
def proposal_document(request, pk: int, variant: str = "full"):
    document = get_object_or_404(ProposalDocument.objects.select_related("proposal"), pk=pk)
    return serve_private_document(
        request,
        document,
        owner_id=document.proposal.applicant_id,
        village_code=document.proposal.village_id,
        document_type="usulan",
        variant=variant,
    )
