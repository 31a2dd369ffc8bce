"""Finance domain environments."""
