"""Travel domain environments."""
