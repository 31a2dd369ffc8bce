"""Office domain environments."""
