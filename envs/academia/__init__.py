"""Academia domain environments."""
