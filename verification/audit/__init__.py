"""Register audit: check a register extract (DTKS, Regsosek, P3KE, a village list)
against the population records and the registered households.

``engine.audit_file`` is the one code path behind ``manage.py audit_register``, the
staff page (``jobs`` + ``verification/tasks/audit.py``) and ``bench/audit.py``;
``checks`` holds the per-row rules that proposal matching reuses. ``docs/audit.md``
says what each flag means and how it is decided.
"""
