"""Commerce domain environments."""
