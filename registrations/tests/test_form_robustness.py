"""Every form refuses malformed input with a message on the field, in Indonesian.

Parametrised over the portal's forms (registrations, verification, eligibility): for
each text field, an oversized value and control characters; for each date field,
impossible and implausible dates. Script tags are accepted as text (they may be a
name someone really typed) but always come back escaped, on the form and on a page.
"""

import pytest
from django.test import Client
from django.urls import reverse

from eligibility import forms as eligibility_forms
from lookup import forms as lookup_forms
from registrations import forms as registration_forms
from registrations.forms.clean import DEFAULT_MAX_LENGTH, refuse_control_characters
from testing.logins import login
from testing.proposals import complete_draft
from verification.audit.forms import AuditUploadForm
from verification.population.forms import PopulationUploadForm
from verification.workflow.forms import musdes as forms_musdes
from verification.workflow.forms import queues as forms_review

SCRIPT = '<script>alert("x")</script>'

#: (form, its text fields, its date fields)
FORMS = {
    "sign-up": (registration_forms.ResidentSignUpForm, ["full_name", "phone"], ["birth_date"]),
    "identity-review": (registration_forms.IdentityReviewForm, ["reason"], []),
    "household-step": (registration_forms.HouseholdStepForm, ["address", "phone"], []),
    "member": (registration_forms.MemberForm, ["full_name", "birth_place"], ["birth_date"]),
    "programmes": (registration_forms.ProgrammesForm, ["statement"], []),
    "reason": (registration_forms.ReasonForm, ["reason"], []),
    "password-reset": (registration_forms.QueuedPasswordResetForm, ["email"], []),
    "musdes-open": (forms_musdes.DeliberationOpenForm, ["place", "chair", "chair_position", "notes"], ["held_on"]),
    "musdes-attendee": (forms_musdes.AttendeeForm, ["name", "position"], []),
    "musdes-outcome": (forms_musdes.OutcomeForm, ["reason"], []),
    "queue-filter": (forms_review.QueueFilterForm, ["nomor"], []),
    "field-visit": (forms_review.FieldVisitForm, ["notes"], ["visited_on"]),
    "regency-decree": (forms_review.RegencyDecreeForm, ["number"], ["document_date"]),
    "determination-batch": (forms_review.DeterminationForm, ["number", "period", "reason"], ["document_date"]),
    "population-upload": (PopulationUploadForm, [], []),
    "audit-upload": (AuditUploadForm, ["id_column"], []),
    "score-model": (eligibility_forms.ModelWeightsForm, ["name", "notes"], []),
    "programme": (eligibility_forms.ProgrammeForm, ["name", "description"], []),
    "official-desil": (eligibility_forms.OfficialImportForm, [], []),  # period: a choice
    "lookup": (lookup_forms.LookupForm, ["name", "village"], []),
    "sanggah": (lookup_forms.ObjectionForm, ["statement"], []),
    "sanggah-neighbour": (lookup_forms.MissingNeighbourForm, ["person_name", "statement"], []),
    "sanggah-move": (lookup_forms.MoveForm, ["note"], []),
}

TEXT_ATTACKS = {
    "oversized": lambda limit: "a" * (limit + 1),
    "nul": lambda limit: "Budi\x00Santoso",
    "bell": lambda limit: "Budi\x07Santoso",
    "escape": lambda limit: "Budi\x1b[31mSantoso",
    "right-to-left override": lambda limit: "Budi\u202eosotnaS",
    "zero-width": lambda limit: "Bu\u200bdi",
}
BAD_DATES = ["2026-02-30", "31/31/2026", "kemarin", "0202-01-01", "20260-01-01", "1850-06-01"]


def _form(cls, data):
    if cls is forms_review.QueueFilterForm:
        return cls(data)
    if cls is eligibility_forms.ModelWeightsForm:
        from eligibility.models import ScoreModel

        return cls(data=data, model=ScoreModel.objects.get(version=1))
    return cls(data=data)


def _cases():
    for name, (cls, text_fields, date_fields) in FORMS.items():
        for field in text_fields:
            for attack in TEXT_ATTACKS:
                yield pytest.param(cls, field, "text", attack, id=f"{name}-{field}-{attack}")
        for field in date_fields:
            for value in BAD_DATES:
                yield pytest.param(cls, field, "date", value, id=f"{name}-{field}-{value}")


def _limit(form, field) -> int:
    return form.fields[field].max_length or DEFAULT_MAX_LENGTH


@pytest.mark.django_db
@pytest.mark.parametrize(("cls", "field", "kind", "attack"), list(_cases()))
def test_form_refuses_malformed_input_on_the_field(cls, field, kind, attack):
    limit = _limit(_form(cls, None), field) if kind == "text" else 0
    value = TEXT_ATTACKS[attack](limit) if kind == "text" else attack
    if field == "email" and attack == "oversized":
        value = "a" * (limit - 9) + "@contoh.id"
    form = _form(cls, {field: value})
    assert not form.is_valid()
    messages = form.errors.get(field)
    assert messages, f"{field} accepted {value[:40]!r}"
    assert not any(m.startswith(("Ensure", "Enter a valid", "Null characters")) for m in messages), messages


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n, (_c, text, _d) in FORMS.items() if text])
def test_script_tags_come_back_escaped_on_the_form(name):
    cls, text_fields, _dates = FORMS[name]
    form = _form(cls, dict.fromkeys(text_fields, SCRIPT))
    form.is_valid()
    html = str(form)
    assert "<script>" not in html
    if not form.errors or any(f not in form.errors for f in text_fields):
        assert "&lt;script&gt;" in html


@pytest.mark.django_db
def test_all_text_fields_of_every_listed_form_are_covered():
    """A new text or date field in one of these forms must be added to ``FORMS``."""
    from django import forms

    for name, (cls, text_fields, date_fields) in FORMS.items():
        form = _form(cls, None)
        texts = {
            n
            for n, f in form.fields.items()
            if isinstance(f, forms.CharField)
            and not isinstance(f.widget, forms.PasswordInput | forms.HiddenInput)
            and "captcha" not in n
            and f.validators
        }
        dates = {n for n, f in form.fields.items() if isinstance(f, forms.DateField)}
        assert texts - set(text_fields) <= {"kk_number", "nik", "rt", "rw", "email"}, (name, texts - set(text_fields))
        assert dates == set(date_fields), (name, dates)


def test_control_characters_allowed_only_as_line_breaks_in_multiline_text():
    refuse_control_characters("Baris satu\r\nBaris dua\tdengan tab")
    with pytest.raises(Exception, match="karakter kontrol"):
        refuse_control_characters("satu\ndua", multiline=False)


def test_a_saved_script_tag_is_shown_escaped_on_the_page(personas):
    from testing.residents import resident_profile

    resident_profile(personas.resident, personas.resident.region_id)
    proposal = complete_draft(personas.resident)
    client = login(Client(), personas.resident)
    response = client.post(
        reverse("proposal-step", args=[proposal.tracking_number, "rumah-tangga"]),
        {"kk_number": proposal.kk_number, "village": proposal.village_id, "address": SCRIPT, "rt": "001", "rw": "002"},
    )
    assert response.status_code in (200, 302)
    proposal.refresh_from_db()
    assert proposal.address == SCRIPT  # kept as typed: nothing the resident wrote is lost
    for step in ("rumah-tangga", "periksa"):  # the form field and the review page
        page = client.get(reverse("proposal-step", args=[proposal.tracking_number, step])).content.decode()
        assert SCRIPT not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page, step
