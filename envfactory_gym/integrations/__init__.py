"""Adapters that let other trainers and servers use the suite (Ray, TRL, verl, OpenEnv); each imports its library only when used."""
