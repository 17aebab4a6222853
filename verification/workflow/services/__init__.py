"""Writes for the verification app."""
