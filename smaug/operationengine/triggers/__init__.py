"""Triggers: what decides when scheduled operations run."""
