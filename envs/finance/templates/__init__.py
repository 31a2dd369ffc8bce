"""Task templates of the Finance environments."""
