"""Utilities domain environments."""
