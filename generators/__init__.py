"""Synthesis of tasks and environments.

Task synthesis on a tool-dependency graph: :mod:`generators.graph` (probe tools, infer edges and parameter
provenance, JSON/PNG), :mod:`generators.sampling` (topology-aware chains), :mod:`generators.grounding` (execute on
a seeded state with arguments from real rows), :mod:`generators.rendering` (implicit-intent requests, leak
check), :mod:`generators.llm` (optional paraphrase), :mod:`generators.synthesis` (calibration, dedup, report),
:mod:`generators.export` (tasks, SFT, RL JSON Lines), :mod:`generators.generate_cli` (``envfactory generate``),
:mod:`generators.bench`. Hand-written scenario templates go through :mod:`generators.scenarios`.
"""
