"""Environments of the EnvFactory suite, one folder per domain."""
