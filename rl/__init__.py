"""The RL driver: ``python -m rl.train`` (SFT then multi-turn GRPO/PPO, local torch backend or OpenRLHF).

Modules: :mod:`rl.tokenizer` (locally trained BPE with the Qwen3 chat template), :mod:`rl.tokens` (token-in
token-out episode bookkeeping), :mod:`rl.model` (tiny Qwen3 or a local checkpoint), :mod:`rl.envs` (tasks and
oracle trajectories of the suite), :mod:`rl.rollout` (sampling episodes through the envs), :mod:`rl.algo`
(advantages and losses), :mod:`rl.openrlhf_agent` (the OpenRLHF agent interface).
"""
