"""Writes for the registrations app: every state change goes through a function here."""
