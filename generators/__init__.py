"""Synthesis of tasks and environments."""
