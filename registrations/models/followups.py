"""Follow-up work of a workflow event (e-mails, matching), kept as rows: an outbox.

A transition writes its follow-ups in the same transaction as the status change, so
they cannot be lost: if the broker is down when the transaction commits, the rows
stay ``pending`` and the sweeper sends them once it is back; if a worker dies
mid-task, the row stays ``running`` past its lease and the sweeper hands it out again.
A row is claimed by one atomic update, so two deliveries of the same task do the work
once.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FollowUpState(models.TextChoices):
    PENDING = "pending", _("Menunggu")
    RUNNING = "running", _("Sedang dikerjakan")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")


class FollowUp(models.Model):
    event = models.ForeignKey("registrations.ProposalEvent", on_delete=models.PROTECT, related_name="followups")
    kind = models.CharField(max_length=40)
    state = models.CharField(max_length=8, choices=FollowUpState.choices, default=FollowUpState.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    available_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("tindak lanjut")
        verbose_name_plural = _("tindak lanjut")
        constraints = [models.UniqueConstraint(fields=["event", "kind"], name="one_followup_per_event_kind")]
        indexes = [models.Index(fields=["state", "available_at"], name="followup_due")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.event_id} ({self.state})"
