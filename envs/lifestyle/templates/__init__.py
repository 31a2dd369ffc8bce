"""Task templates of the Lifestyle environments."""
