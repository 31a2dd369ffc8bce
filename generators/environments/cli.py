"""``envfactory generate env``: an API description becomes a v2 environment module and its task file, written only
when the module passes the gate (:mod:`generators.environments.gate`).

Input: ``--from-reference FILE --env NAME...`` (or ``--env all``), ``--from-mcp TARGET`` (a command line over
stdio, an http(s) URL, or a saved ``tools/list`` JSON) or ``--from-openapi FILE``. Output: ``OUT/<domain>/<module>.py``
and ``OUT/<domain>/tasks/<Name>.jsonl``, a directory the suite registers with ``envfactory_gym.register_path(OUT)``
or ``ENVFACTORY_PATH``. With ``--llm-base-url`` a chat model revises the offline module (:mod:`.revise`).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from generators.generate_cli import non_negative_int, positive_int


def configure(parser: argparse.ArgumentParser) -> None:
    from envfactory_gym.core.domains import DOMAINS

    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--from-reference", type=Path, metavar="FILE",
                        help="a file in the reference format (environments with tools, parameters and returns)")
    source.add_argument("--from-mcp", metavar="TARGET",
                        help="an MCP server: a command line (stdio), an http(s) URL, or a saved tools/list JSON")
    source.add_argument("--from-openapi", type=Path, metavar="FILE", help="an OpenAPI 3.0/3.1 document (JSON or YAML)")
    parser.add_argument("--env", nargs="+", metavar="NAME", help="--from-reference: the entries to generate, or 'all'")
    parser.add_argument("--name", help="the environment's class name (default: from the description)")
    parser.add_argument("--domain", choices=DOMAINS, help="the domain (default: from the description, else Utilities)")
    parser.add_argument("--out", type=Path, default=Path("generated"),
                        help="directory laid out like envs/ to write to (default ./generated)")
    parser.add_argument("--tasks", type=positive_int, default=30, help="verified tasks the gate requires (default 30)")
    parser.add_argument("--seed", type=int, default=0, help="synthesis and task seed (default 0)")
    parser.add_argument("--dry-run", action="store_true", help="run the gate, write nothing")
    parser.add_argument("--report", type=Path, help="also write the gate reports as JSON to this file")
    parser.add_argument("--llm-base-url", help="OpenAI-compatible endpoint of a model that revises the module")
    parser.add_argument("--llm-model", help="model name at that endpoint")
    parser.add_argument("--llm-api-key", default="EMPTY", help="API key for that endpoint")
    parser.add_argument("--revisions", type=non_negative_int, default=2,
                        help="rounds of model revision, each gated, failures fed back (default 2)")


def run(args: argparse.Namespace) -> int:
    from tabulate import tabulate
    from tqdm import tqdm

    from generators.environments.gate import gate
    from generators.environments.revise import Reviser
    from generators.environments.synthesis import synthesize

    if args.llm_base_url and not args.llm_model:
        raise SystemExit("envfactory generate env: --llm-base-url needs --llm-model")
    specs = _specs(args)
    reviser = Reviser(args.llm_base_url, args.llm_model, args.llm_api_key) if args.llm_base_url else None
    rows, reports = [], []
    for spec in tqdm(specs, desc="generate env", unit="env", disable=len(specs) < 2):
        source = synthesize(spec, args.seed)
        report = gate(source, spec.name, args.tasks, seed=args.seed)
        origin = "offline"
        if reviser is not None and args.revisions:
            revised = reviser.revise(spec, source, report, args.revisions, args.tasks, args.seed)
            if revised is not None:
                source, report, origin = *revised, "llm"
        if len(specs) == 1:
            print(report.render())
        written = "-"
        if report.passed and not args.dry_run:
            written = str(_write(args.out, spec.domain, spec.name, source, report.tasks))
        rows.append([spec.name, spec.domain, len(spec.operations), "PASSED" if report.passed else "FAILED", origin,
                     report.tasks_kept, f"{report.seconds:.1f}", written])
        reports.append({"env": spec.name, "origin": origin, **report.to_json()})
    print(tabulate(rows, headers=["environment", "domain", "tools", "gate", "module", "tasks", "seconds", "written"],
                   tablefmt="github"))
    passed = sum(r[3] == "PASSED" for r in rows)
    print(f"{passed} of {len(rows)} passed the gate")
    if args.report:
        args.report.write_text(json.dumps(reports, indent=1, default=str), encoding="utf-8")
    if passed and not args.dry_run:
        print(f"register them with envfactory_gym.register_path({str(args.out)!r}) or ENVFACTORY_PATH={args.out}")
    return 0 if passed == len(rows) else 1


def _specs(args: argparse.Namespace) -> list:
    """The API descriptions named on the command line, with --name and --domain applied."""
    from generators.environments import inputs

    try:
        if args.from_reference:
            if not args.env:
                raise SystemExit("envfactory generate env: --from-reference needs --env NAME... (or --env all)")
            names = inputs.reference_names(args.from_reference) if args.env == ["all"] else args.env
            specs = [inputs.from_reference(args.from_reference, name) for name in names]
        elif args.from_mcp:
            specs = [inputs.from_mcp(args.from_mcp)]
        else:
            specs = [inputs.from_openapi(args.from_openapi)]
    except (ValueError, FileNotFoundError, ConnectionError) as exc:
        raise SystemExit(f"envfactory generate env: {exc}") from None
    if args.env and not args.from_reference:
        raise SystemExit("envfactory generate env: --env goes with --from-reference")
    if (args.name or args.domain) and len(specs) > 1:
        raise SystemExit("envfactory generate env: --name and --domain name one environment")
    update = {k: v for k, v in (("name", args.name), ("domain", args.domain)) if v}
    return [spec.model_copy(update=update) for spec in specs] if update else specs


def _write(out: Path, domain: str, name: str, source: str, tasks: list[str]) -> Path:
    """Write the module and its task file under ``out`` (laid out like envs/); never overwrite a module."""
    module = out / domain.lower() / f"{re.sub(r'(?<!^)(?=[A-Z])', '_', name).lower()}.py"
    if module.exists():
        raise SystemExit(f"envfactory generate env: {module} exists; remove it or choose --out / --name")
    (module.parent / "tasks").mkdir(parents=True, exist_ok=True)
    module.write_text(source, encoding="utf-8")
    (module.parent / "tasks" / f"{name}.jsonl").write_text("".join(line.rstrip("\n") + "\n" for line in tasks),
                                                           encoding="utf-8")
    return module
