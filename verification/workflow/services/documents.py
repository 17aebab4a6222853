"""PDF documents of the workflow, rendered from templates with WeasyPrint.

Fonts and styles come from the server (no network), so the PDF renders the same on an
intranet. NIK and KK numbers are not printed: the minutes are read aloud and signed in
public, so proposals are listed by tracking number, head's name and RT/RW.
"""

from django.template.loader import render_to_string
from django.utils import translation

from verification.models import Deliberation, DeliberationBasis


def render_minutes_pdf(deliberation: Deliberation) -> bytes:
    import weasyprint  # imported here: it is heavy and only closing a musdes needs it
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False  # weasyprint turns it on; uploads rely on it being off

    items = deliberation.items.select_related("proposal").prefetch_related("proposal__members").order_by("id")
    rows = []
    for item in items:
        head = next((m for m in item.proposal.members.all() if m.relation == "kepala"), None)
        rows.append({"item": item, "proposal": item.proposal, "head": head})
    template = (
        "verification/pdf/sptjm.html"
        if deliberation.basis == DeliberationBasis.SPTJM
        else "verification/pdf/berita_acara.html"
    )
    with translation.override("id"):
        html = render_to_string(
            template,
            {
                "d": deliberation,
                "rows": rows,
                "attendees": list(deliberation.attendees.all()),
                "village": deliberation.village,
                "district": deliberation.village.parent,
                "regency": deliberation.village.parent.parent,
                "approved": sum(1 for r in rows if r["item"].outcome == "setuju"),
                "rejected": sum(1 for r in rows if r["item"].outcome == "tolak"),
            },
        )
    return weasyprint.HTML(string=html).write_pdf()
