"""Task templates of the Commerce environments."""
