"""Task templates of the Office environments."""
