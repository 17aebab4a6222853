"""Workflow API for the ministry's and regions' own systems (``/api/workflow/``).

The same steps as the staff pages under the same rules: input is validated by
serializers, every object is fetched through the region scope (out of scope answers
404, exactly like a missing object), and the services decide role, region, status and
role separation. Their refusals become JSON in ``registrations.api.errors``:
400 (a rule of the domain), 403 (not this role), 409 (the proposal has moved on).
"""
