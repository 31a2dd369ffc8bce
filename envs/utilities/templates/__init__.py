"""Task templates of the Utilities environments."""
