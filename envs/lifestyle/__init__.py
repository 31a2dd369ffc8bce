"""Lifestyle domain environments."""
