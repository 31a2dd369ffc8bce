"""The episode viewer: one static HTML page per eval run (``RUN_DIR/index.html``), no network, plain JS.

Every episode is a collapsible block with its transcript, its tool calls and its reward breakdown, rendered
server-side (readable without JS); a small script filters by environment, outcome and free text, kept in the
URL fragment (``index.html#env=Calendar&outcome=failure``) so a filtered view can be shared. System prompts
(the same for every episode of an environment) are shown once per environment at the top.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from pathlib import Path
from typing import Any

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
h1{font-size:1.4em} #filters{position:sticky;top:0;background:#fafafa;padding:.5em 0;border-bottom:1px solid #ccc}
#filters label{margin-right:1em} details{margin:.3em 0} details.episode{background:#fff;border:1px solid #ddd;
border-radius:4px;padding:.3em .6em} summary{cursor:pointer} .badge{display:inline-block;min-width:5.5em;
font-weight:600} .success .badge{color:#1a7f37} .failure .badge{color:#b42318} .error .badge{color:#9a6700}
.msg{border-left:4px solid #bbb;margin:.4em 0;padding:.2em .6em} .msg .role{font-weight:600;font-size:.85em;
color:#555} .user{border-color:#2f6feb} .assistant{border-color:#8250df}
.tool{border-color:#6e7781} .tool.err{border-color:#b42318} pre{white-space:pre-wrap;word-break:break-word;
margin:.2em 0;font:12.5px/1.4 ui-monospace,monospace} table{border-collapse:collapse;margin:.3em 0}
td,th{border:1px solid #ddd;padding:.15em .5em;vertical-align:top;text-align:left} .hidden{display:none}
"""

SCRIPT = """
const episodes = Array.from(document.querySelectorAll('details.episode'));
const env = document.getElementById('env'), outcome = document.getElementById('outcome');
const query = document.getElementById('q'), count = document.getElementById('count');
function apply() {
  const q = query.value.toLowerCase();
  let shown = 0;
  for (const ep of episodes) {
    const ok = (!env.value || ep.dataset.env === env.value) && (!outcome.value || ep.dataset.outcome === outcome.value)
      && (!q || ep.textContent.toLowerCase().includes(q));
    ep.classList.toggle('hidden', !ok);
    shown += ok;
  }
  count.textContent = shown + ' of ' + episodes.length + ' episodes shown';
  const state = new URLSearchParams({env: env.value, outcome: outcome.value, q: query.value});
  history.replaceState(null, '', '#' + state.toString());
}
const initial = new URLSearchParams(location.hash.slice(1));
env.value = initial.get('env') || '';
outcome.value = initial.get('outcome') || '';
query.value = initial.get('q') || '';
for (const el of [env, outcome]) el.addEventListener('change', apply);
query.addEventListener('input', apply);
apply();
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def outcome(record: dict[str, Any]) -> str:
    return "error" if record.get("error") else "success" if record["success"] else "failure"


def render_message(message: dict[str, Any]) -> str:
    """One dialogue turn as HTML (the system prompt is referenced, not repeated)."""
    role = message["role"]
    if role == "system":
        return ('<div class="msg system"><div class="role">system</div>'
                "<pre>(system prompt: see System prompts above)</pre></div>")
    body = f"<pre>{_e(message['content'])}</pre>" if message.get("content") else ""
    for call in message.get("tool_calls", ()):
        body += f"<pre>&rarr; {_e(call['function']['name'])}({_e(_json(call['function']['arguments']))})</pre>"
    css = role + (" err" if role == "tool" and str(message.get("content", "")).startswith("Error:") else "")
    name = f": {_e(message['name'])}" if role == "tool" and message.get("name") else ""
    return f'<div class="msg {css}"><div class="role">{_e(role)}{name}</div>{body}</div>'


def _table(rows: list[tuple[Any, ...]], headers: tuple[str, ...]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def render_episode(record: dict[str, Any], open_: bool = False) -> str:
    """One episode: a summary line, then transcript, calls and reward breakdown."""
    state = outcome(record)
    title = (f'<span class="badge">{state}</span> {_e(record["env"])} &middot; {_e(record["task_id"])} &middot; '
             f'seed {record["seed"]} &middot; {record["turns"]} turns &middot; {record["tool_calls"]} calls &middot; '
             f'partial {record["partial"]:.2f}')
    parts = [f"<p><b>Agent error:</b> {_e(record['error'])}</p>"] if record.get("error") else []
    parts.append("<h4>Transcript</h4>" + "".join(render_message(m) for m in record["messages"]))
    calls = [(i, _e(c["name"]), f"<pre>{_e(_json(c['arguments']))}</pre>", "ok" if c["ok"] else "error",
              f"<pre>{_e(c['result'][:2000])}</pre>") for i, c in enumerate(record["calls"], 1)]
    calls_html = _table(calls, ("#", "tool", "arguments", "status", "result")) if calls else "<p>none</p>"
    parts.append("<h4>Calls</h4>" + calls_html)
    reward = [(_e(k), f"<pre>{_e(_json(v))}</pre>") for k, v in (record.get("reward_info") or {}).items()]
    parts.append("<h4>Reward breakdown</h4>" + (_table(reward, ("field", "value")) if reward else "<p>not graded</p>"))
    return (f'<details class="episode {state}" data-env="{_e(record["env"])}" data-outcome="{state}"'
            f'{" open" if open_ else ""}><summary>{title}</summary>{"".join(parts)}</details>')


def render_page(records: list[dict[str, Any]], title: str) -> str:
    """The whole viewer page for a list of episode records."""
    envs = sorted({r["env"] for r in records})
    counts = Counter(outcome(r) for r in records)
    prompts = {}
    for r in records:
        if r["messages"] and r["messages"][0]["role"] == "system":
            prompts.setdefault(r["env"], r["messages"][0]["content"])
    env_options = "".join(f'<option value="{_e(e)}">{_e(e)}</option>' for e in envs)
    prompt_blocks = "".join(f"<details><summary>{_e(e)}</summary><pre>{_e(p)}</pre></details>"
                            for e, p in sorted(prompts.items()))
    ordered = sorted(records, key=lambda r: (r["env"], r["task_id"], r["seed"]))
    episodes = "".join(render_episode(r, open_=i == 0) for i, r in enumerate(ordered))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title><style>{STYLE}</style></head>
<body><h1>{_e(title)}</h1>
<p>{len(records)} episodes: {counts['success']} succeeded, {counts['failure']} failed,
{counts['error']} agent errors.</p>
<div id="filters"><label>Environment <select id="env"><option value="">all</option>{env_options}</select></label>
<label>Outcome <select id="outcome"><option value="">all</option><option value="success">success</option>
<option value="failure">failure</option><option value="error">error</option></select></label>
<label>Search <input id="q" type="search" placeholder="text in the episode"></label> <span id="count"></span></div>
<details><summary>System prompts</summary>{prompt_blocks}</details>
<div id="episodes">{episodes}</div>
<script>{SCRIPT}</script></body></html>
"""


def write_viewer(records: list[dict[str, Any]], path: str | Path, title: str = "EnvFactory-Gym episodes") -> Path:
    """Write the viewer page for ``records`` to ``path``."""
    path = Path(path)
    path.write_text(render_page(records, title), encoding="utf-8")
    return path
