"""Task templates of the Academia environments."""
