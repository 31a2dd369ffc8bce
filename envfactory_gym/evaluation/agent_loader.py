"""Agents by name for ``envfactory eval``: scripted baselines, a local transformers model, an OpenAI-compatible
endpoint, and users' own classes.

Specs:

- ``oracle``, ``noop``, ``random``: the baselines of :mod:`envfactory_gym.agents`; ``dump``, ``ask_then_dump``,
  ``echo``, ``over_act``: its built-in reward hackers.
- ``hf:PATH``: a local causal LM and its tokenizer (a ``rl.train`` checkpoint or any Qwen3-format model); the
  dialogue is rendered with the tokenizer's chat template and the raw generated text is the action.
- ``openai:BASE_URL[#MODEL]``: ``POST BASE_URL/chat/completions`` with ``tools``; the model defaults to the first
  one ``GET BASE_URL/models`` lists (a vLLM server serves one); the key is read from ``OPENAI_API_KEY``.
- ``module:Class`` or ``path/to/file.py:Class``: your own agent. The class is built with the ``--agent-arg``
  keyword arguments, plus ``seed=`` (the episode's repeat seed) when its ``__init__`` accepts ``seed``; it must
  have ``reset(env, info)``, called after ``env.reset``, and ``act(info) -> action``, where ``info["messages"]``
  is the dialogue so far and ``info["tools"]`` the OpenAI-style tool schemas; an action is anything
  ``env.step`` accepts (a call dict, a list of them, an OpenAI assistant message, or raw Qwen3-format text).
  An optional class attribute ``model`` names the model on the leaderboard. One instance is built per episode.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gymnasium as gym

from envfactory_gym.agents import ADVERSARIES, Agent, NoOpAgent, OracleAgent, RandomAgent


@dataclass(frozen=True)
class LoadedAgent:
    """An agent spec resolved into a factory ``seed -> Agent`` (one agent per episode).

    ``spec`` is the resolved spec (the model of an ``openai:`` endpoint filled in): what worker processes load."""

    spec: str
    name: str
    model: str | None
    make: Callable[[int], Agent]


def load_agent(spec: str, agent_args: dict[str, Any] | None = None) -> LoadedAgent:
    """Resolve an agent spec (see the module docstring); ``agent_args`` are keyword arguments for the agent."""
    kwargs = dict(agent_args or {})
    if spec == "oracle":
        return LoadedAgent(spec, "oracle", None, lambda seed: OracleAgent(**kwargs))
    if spec == "noop":
        return LoadedAgent(spec, "noop", None, lambda seed: NoOpAgent(**kwargs))
    if spec == "random":
        return LoadedAgent(spec, "random", None, lambda seed: RandomAgent(seed=seed, **kwargs))
    if spec in ADVERSARIES:
        return LoadedAgent(spec, spec, None, lambda seed: ADVERSARIES[spec](**kwargs))
    kind, sep, target = spec.partition(":")
    if not sep or not target:
        raise ValueError(f"unknown agent {spec!r}: use oracle, noop, random, {', '.join(ADVERSARIES)}, hf:PATH, "
                         "openai:URL[#MODEL] or module:Class")
    if kind == "hf":
        path = str(Path(target).expanduser())
        if not Path(path).is_dir():
            raise ValueError(f"hf:{target}: not a directory holding a model and its tokenizer")
        missing = [m for m in ("torch", "transformers") if importlib.util.find_spec(m) is None]
        if missing:
            raise ValueError(f"hf: agents need {' and '.join(missing)}: pip install -e .[rl]")
        name = "/".join(Path(path).resolve().parts[-2:])  # "rl/checkpoint" rather than a bare "checkpoint"
        return LoadedAgent(spec, "hf", name, lambda seed: HFAgent(path, seed=seed, **kwargs))
    if kind == "openai":
        base_url, _, model = target.partition("#")
        model = model or first_model(base_url)
        return LoadedAgent(f"openai:{base_url}#{model}", "openai", model,
                           lambda seed: OpenAIAgent(base_url, model, seed=seed, **kwargs))
    cls = _import_class(kind, target)
    takes_seed = _accepts(cls, "seed")
    return LoadedAgent(spec, cls.__name__, getattr(cls, "model", None),
                       lambda seed: cls(seed=seed, **kwargs) if takes_seed else cls(**kwargs))


def _import_class(module: str, attr: str) -> type:
    try:
        if module.endswith(".py"):
            path = Path(module).resolve()
            loaded = importlib.util.spec_from_file_location(path.stem, path)
            if loaded is None or loaded.loader is None:
                raise ImportError(f"cannot load a module from {path}")
            mod = importlib.util.module_from_spec(loaded)
            loaded.loader.exec_module(mod)
        else:
            mod = _import_module(module)
        cls = getattr(mod, attr)
    except ModuleNotFoundError as exc:
        top = module.split(".")[0]
        where = "" if module.endswith(".py") or exc.name not in (top, module) else (
            f" (looked in the current directory {Path.cwd()} and on the Python path; give a file with "
            f"path/to/{module.replace('.', '/')}.py:{attr}, or add its directory to PYTHONPATH)")
        raise ValueError(f"cannot load agent {module}:{attr}: {exc}{where}") from exc
    except (ImportError, AttributeError, OSError) as exc:
        raise ValueError(f"cannot load agent {module}:{attr}: {exc}") from exc
    if not callable(getattr(cls, "act", None)) or not callable(getattr(cls, "reset", None)):
        raise ValueError(f"{module}:{attr} is not an agent: it must define reset(env, info) and act(info)")
    return cls


def _import_module(module: str) -> Any:
    """Import ``module`` from the Python path or, failing that, from the current directory (as ``python -m`` would:
    the ``envfactory`` script's own directory is on its path, the directory it is run from is not)."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        here = os.getcwd()
        top = module.split(".")[0]
        if exc.name != top or here in sys.path or not ((Path(here) / f"{top}.py").is_file()
                                                       or (Path(here) / top).is_dir()):
            raise
    sys.path.append(here)  # kept: the module may import its neighbours later; spawned eval workers inherit it
    importlib.invalidate_caches()
    return importlib.import_module(module)


def _accepts(cls: type, name: str) -> bool:
    params = inspect.signature(cls).parameters
    return name in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


# ------------------------------------------------------------------------------------------------- OpenAI
def to_openai_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The env's dialogue in OpenAI chat form: tool-call arguments as JSON strings, tool turns keyed by call id."""
    out: list[dict[str, Any]] = []
    for m in messages:
        if m["role"] == "assistant":
            message: dict[str, Any] = {"role": "assistant", "content": m.get("content") or None}
            if m.get("tool_calls"):
                message["tool_calls"] = [
                    {"id": c["id"], "type": "function",
                     "function": {"name": c["function"]["name"], "arguments": _json_string(c["function"]["arguments"])}}
                    for c in m["tool_calls"]
                ]
            elif message["content"] is None:
                message["content"] = ""
            out.append(message)
        elif m["role"] == "tool":
            out.append({"role": "tool", "tool_call_id": m["tool_call_id"], "content": m["content"]})
        else:
            out.append({"role": m["role"], "content": m["content"]})
    return out


def _json_string(arguments: Any) -> str:
    return arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False, default=str)


def _request(url: str, body: dict[str, Any] | None, timeout: float, retries: int = 3) -> Any:
    """GET (no body) or POST JSON, retrying connection errors, 429 and 5xx with a short backoff."""
    headers = {"Content-Type": "application/json",
               "Authorization": f"Bearer {os.environ.get('OPENAI_API_KEY', 'EMPTY')}"}
    data = None if body is None else json.dumps(body).encode()
    attempt = 0
    while True:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=timeout) as r:
                return json.load(r)
        except urllib.error.HTTPError as exc:
            if not (exc.code == 429 or exc.code >= 500) or attempt + 1 >= retries:
                detail = exc.read().decode(errors="replace")[:500]
                raise RuntimeError(f"{url} answered HTTP {exc.code}: {detail}") from exc
        except urllib.error.URLError:
            if attempt + 1 >= retries:
                raise
        time.sleep(2**attempt)
        attempt += 1


def first_model(base_url: str, timeout: float = 30) -> str:
    """The first model an OpenAI-compatible server lists."""
    models = _request(base_url.rstrip("/") + "/models", None, timeout)["data"]
    if not models:
        raise ValueError(f"{base_url} lists no models; name one with openai:{base_url}#MODEL")
    return models[0]["id"]


class OpenAIAgent:
    """Chat completions with tools against any OpenAI-compatible endpoint; greedy (temperature 0) by default."""

    def __init__(self, base_url: str, model: str, seed: int = 0, temperature: float = 0.0,
                 max_tokens: int | None = None, timeout: float = 300, **extra: Any) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.body: dict[str, Any] = {"model": model, "temperature": temperature, "seed": seed, **extra}
        if max_tokens is not None:
            self.body["max_tokens"] = max_tokens
        self.timeout = timeout

    def reset(self, env: gym.Env, info: dict[str, Any]) -> None:
        self.tools = info["tools"]

    def act(self, info: dict[str, Any]) -> Any:
        body = {**self.body, "messages": to_openai_messages(info["messages"]), "tools": self.tools}
        message = _request(self.url, body, self.timeout)["choices"][0]["message"]
        return {"role": "assistant", "content": message.get("content") or "",
                "tool_calls": message.get("tool_calls") or []}


# -------------------------------------------------------------------------------------------- transformers
@functools.cache
def _load_hf(path: str) -> tuple[Any, Any]:
    """Model and tokenizer of a local checkpoint, once per process (on the GPU when there is one)."""
    import torch
    import transformers

    tokenizer = transformers.AutoTokenizer.from_pretrained(path)
    dtype_key = "dtype" if int(transformers.__version__.split(".")[0]) >= 5 else "torch_dtype"
    model = transformers.AutoModelForCausalLM.from_pretrained(path, **{dtype_key: "auto"})
    model.to("cuda" if torch.cuda.is_available() else "cpu").eval()
    return model, tokenizer


class HFAgent:
    """A local causal LM: renders ``info["messages"]`` with the tokenizer's chat template (the system message
    already carries the Qwen3 tool block) and returns the raw generated text. Greedy unless ``temperature > 0``.
    ``chat_template`` picks a named template of the tokenizer (e.g. ``training``) or gives one inline."""

    def __init__(self, path: str, seed: int = 0, max_new_tokens: int = 1024, temperature: float = 0.0,
                 top_p: float = 1.0, enable_thinking: bool | None = None, chat_template: str | None = None) -> None:
        self.model, self.tokenizer = _load_hf(path)
        self.seed, self.max_new_tokens, self.temperature, self.top_p = seed, max_new_tokens, temperature, top_p
        self.template_kwargs: dict[str, Any] = {} if enable_thinking is None else {"enable_thinking": enable_thinking}
        if chat_template is not None:
            self.template_kwargs["chat_template"] = chat_template
        stop = self.model.generation_config.eos_token_id
        stop = stop if isinstance(stop, list) else [stop]
        self.stop_ids = {i for i in [*stop, self.tokenizer.eos_token_id, self.tokenizer.pad_token_id] if i is not None}
        pad = self.tokenizer.pad_token_id
        self.pad_id = self.tokenizer.eos_token_id if pad is None else pad

    def reset(self, env: gym.Env, info: dict[str, Any]) -> None:
        import torch

        torch.manual_seed(self.seed)

    def act(self, info: dict[str, Any]) -> str:
        import torch

        text = self.tokenizer.apply_chat_template(info["messages"], tokenize=False, add_generation_prompt=True,
                                                  **self.template_kwargs)
        inputs = self.tokenizer(text, return_tensors="pt", add_special_tokens=False).to(self.model.device)
        sampling = {"do_sample": True, "temperature": self.temperature, "top_p": self.top_p} \
            if self.temperature > 0 else {"do_sample": False}
        with torch.no_grad():
            output = self.model.generate(**inputs, max_new_tokens=self.max_new_tokens,
                                         pad_token_id=self.pad_id, **sampling)
        new = [i for i in output[0, inputs["input_ids"].shape[1]:].tolist() if i not in self.stop_ids]
        return self.tokenizer.decode(new, skip_special_tokens=False, clean_up_tokenization_spaces=False)
