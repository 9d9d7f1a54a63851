#!/usr/bin/env python3
"""Run the queries of the Grafana dashboard and the alert rules against a real Prometheus.

Usage:
  promql.py check  --prometheus URL [--dashboard FILE] [--rules FILE] [--wait SECONDS]
  promql.py render --prometheus URL --out FILE.html [--dashboard FILE] [--minutes N]

check: resolves the dashboard's template variables the way Grafana does (label_values(...)
through /api/v1/series; every value selected, as the regex (v1|v2|...)), then runs every
panel's query and every operand of every alert rule's expression (see operands()) through
/api/v1/query. Each must return at least one series, at least one with a finite value, and
every series must carry the expected labels: for a panel query, the labels of its 'by (...)'
clauses (but 'le') and of its legend ({{loop}}); for an alert, the labels its annotations
name ({{ $labels.loop }}), on the expression's first operand. Also checks that Prometheus
has loaded every rule of the rule file and evaluates it without error. Repeats the whole
check until it passes or --wait seconds have passed (rates need a few scrapes).

render: draws every panel of the dashboard as an SVG chart from /api/v1/query_range over
the last --minutes minutes, into one static HTML page laid out by the panels' gridPos.

Only the Python standard library; no Grafana needed.
"""
import argparse
import html
import json
import math
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT_DEFAULTS = {
    "dashboard": "ops/grafana/eventloop-dashboard.json",
    "rules": "ops/prometheus/eventloop-alerts.yml",
}
RATE_INTERVAL = "10s"  # Grafana's $__rate_interval for a 1 s scrape interval, with margin


def api(base, path, params):
    url = base.rstrip("/") + path + "?" + urllib.parse.urlencode(params, doseq=True)
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            body = json.load(response)
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"{path} {params}: HTTP {e.code} {e.read().decode(errors='replace')[:300]}") from None
    if body.get("status") != "success":
        raise RuntimeError(f"{path} {params}: {body}")
    return body["data"]


# ---------------------------------------------------------------- dashboard

def load_dashboard(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def panels(dashboard):
    for panel in dashboard.get("panels", []):
        if panel.get("type") == "row":
            yield from panel.get("panels", [])
        else:
            yield panel


def substitute(expr, values):
    for name, value in values.items():
        expr = expr.replace("${" + name + "}", value).replace("$" + name, value)
    return expr


def resolve_variables(base, dashboard):
    """Values of the dashboard's query variables, all selected, in Grafana's regex format."""
    values = {"__rate_interval": RATE_INTERVAL}
    found = {}
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") != "query":
            continue
        query = variable["query"]["query"] if isinstance(variable["query"], dict) else variable["query"]
        m = re.fullmatch(r"\s*label_values\((.*),\s*(\w+)\)\s*", query, re.S)
        if not m:
            raise RuntimeError(f"variable {variable['name']}: unsupported query {query!r}")
        selector, label = substitute(m.group(1), values), m.group(2)
        series = api(base, "/api/v1/series", {"match[]": selector})
        names = sorted({s[label] for s in series if label in s})
        found[variable["name"]] = names
        # regex-escaped, then escaped again for the PromQL string it goes into, as Grafana does
        escaped = (re.escape(n).replace("\\", "\\\\") for n in names)
        values[variable["name"]] = "(" + "|".join(escaped) + ")" if names else "NONE"
    # longest names first, so that $loop does not eat $loops
    ordered = dict(sorted(values.items(), key=lambda kv: -len(kv[0])))
    return ordered, found


def expected_panel_labels(target):
    labels = set()
    for clause in re.findall(r"\bby\s*\(([^)]*)\)", target["expr"]):
        labels.update(l.strip() for l in clause.split(",") if l.strip())
    labels.update(re.findall(r"\{\{\s*(\w+)\s*\}\}", target.get("legendFormat", "")))
    labels.discard("le")
    return labels


# ---------------------------------------------------------------- rules

def load_rules(path):
    """The alerting rules of a rule file: a minimal reader for the file's own layout
    (groups / rules / alert, expr as a plain or folded scalar, annotations)."""
    rules = []
    current = None
    lines = open(path, encoding="utf-8").read().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^(\s*)- alert:\s*(\S+)", line)
        if m:
            current = {"alert": m.group(2), "expr": "", "annotations": ""}
            rules.append(current)
            i += 1
            continue
        m = re.match(r"^(\s*)(expr|summary|description):\s*(.*)$", line)
        if current is not None and m:
            indent, key, value = len(m.group(1)), m.group(2), m.group(3)
            if value in (">-", ">", "|", "|-"):
                block = []
                i += 1
                while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
                    block.append(lines[i].strip())
                    i += 1
                value = " ".join(block)
            else:
                value = value.strip().strip('"')
                i += 1
            if key == "expr":
                current["expr"] = value
            else:
                current["annotations"] += " " + value
            continue
        i += 1
    return rules


COMPARISON = ("==", "!=", ">=", "<=", ">", "<")
SET_OPS = ("and", "or", "unless")


def _skip_parens(s, i):
    depth = 0
    while i < len(s):
        c = s[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                return i + 1
        elif c in "\"'":
            i = s.index(c, i + 1)
        i += 1
    return i


def _split_top(expr):
    """Split at the comparison and set operators outside brackets; drop the operators and
    their modifiers (bool, on/ignoring (...), group_left/group_right (...))."""
    parts, start, i, depth = [], 0, 0, 0
    while i < len(expr):
        c = expr[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c in "\"'":
            i = expr.index(c, i + 1)
        elif depth == 0:
            op = None
            for candidate in COMPARISON:
                if expr.startswith(candidate, i) and not expr.startswith("=~", i):
                    op = candidate
                    break
            if op is None:
                m = re.match(r"(and|or|unless)\b", expr[i:])
                if m and (i == 0 or not (expr[i - 1].isalnum() or expr[i - 1] == "_")):
                    op = m.group(1)
            if op:
                parts.append(expr[start:i])
                i += len(op)
                while True:
                    m = re.match(r"\s*(bool|on|ignoring|group_left|group_right)\b\s*", expr[i:])
                    if not m:
                        break
                    i += m.end()
                    if m.group(1) != "bool" and i < len(expr) and expr[i] == "(":
                        i = _skip_parens(expr, i)
                start = i
                continue
        i += 1
    parts.append(expr[start:])
    return [p.strip() for p in parts if p.strip()]


def operands(expr):
    """The operands of an alert expression's comparisons and set operations, recursively
    into an operand wrapped whole in parentheses; numbers left out. Each is a query that
    returns data whether or not the alert fires."""
    result = []
    for part in _split_top(expr.strip()):
        if part.startswith("(") and _skip_parens(part, 0) == len(part):
            inner = part[1:-1].strip()
            if len(_split_top(inner)) > 1:
                result.extend(operands(inner))
                continue
        if re.fullmatch(r"[-+]?[0-9.eE+]+", part):
            continue
        result.append(part)
    return result


def annotation_labels(rule):
    return set(re.findall(r"\$labels\.(\w+)", rule["annotations"]))


# ---------------------------------------------------------------- check

def check_query(base, name, query, labels, problems, lines):
    try:
        result = api(base, "/api/v1/query", {"query": query})["result"]
    except Exception as e:  # noqa: BLE001 - reported as a failed check
        problems.append(f"{name}: query failed: {e}\n    {query}")
        return
    if not result:
        problems.append(f"{name}: no data\n    {query}")
        return
    finite = [s for s in result if math.isfinite(float(s["value"][1]))]
    missing = sorted({l for s in result for l in labels if l not in s["metric"]})
    if missing:
        problems.append(f"{name}: series without label(s) {missing}: {result[0]['metric']}\n    {query}")
    elif not finite:
        problems.append(f"{name}: {len(result)} series, none with a finite value\n    {query}")
    else:
        sample = finite[0]
        shown = {k: v for k, v in sample["metric"].items() if k in labels}
        lines.append(f"{name}: {len(result)} series, e.g. {shown or sample['metric']} = {float(sample['value'][1]):.4g}")


def check_once(base, dashboard, rules):
    problems, lines = [], []
    values, found = resolve_variables(base, dashboard)
    for name, names in found.items():
        if names:
            lines.append(f"variable ${name}: {', '.join(names)}")
        else:
            problems.append(f"variable ${name}: no values")
    for panel in panels(dashboard):
        for target in panel.get("targets", []):
            check_query(base, f"panel '{panel['title']}' {target.get('refId', '')}",
                        substitute(target["expr"], values), expected_panel_labels(target), problems, lines)
    for rule in rules:
        for n, operand in enumerate(operands(rule["expr"])):
            labels = annotation_labels(rule) if n == 0 else set()
            check_query(base, f"alert {rule['alert']} operand {n + 1}", operand, labels, problems, lines)
    loaded = {}
    for group in api(base, "/api/v1/rules", {"type": "alert"})["groups"]:
        for r in group["rules"]:
            loaded[r["name"]] = r
    for rule in rules:
        r = loaded.get(rule["alert"])
        if r is None:
            problems.append(f"alert {rule['alert']}: not loaded by Prometheus")
        elif r.get("health") != "ok":
            problems.append(f"alert {rule['alert']}: health {r.get('health')}, {r.get('lastError')}")
        else:
            lines.append(f"alert {rule['alert']}: loaded, evaluated without error, state {r.get('state')}")
    return problems, lines


def cmd_check(args):
    dashboard = load_dashboard(args.dashboard)
    rules = load_rules(args.rules)
    if not rules:
        print(f"FAIL  no alert rules read from {args.rules}")
        return 1
    deadline = time.monotonic() + args.wait
    attempt = 0
    while True:
        attempt += 1
        problems, lines = check_once(args.prometheus, dashboard, rules)
        if not problems or time.monotonic() >= deadline:
            break
        time.sleep(2)
    for line in lines:
        print("PASS  " + line)
    for problem in problems:
        print("FAIL  " + problem)
    queries = sum(len(p.get("targets", [])) for p in panels(dashboard))
    operand_count = sum(len(operands(r["expr"])) for r in rules)
    print(f"INFO  {queries} panel queries, {len(rules)} alert rules ({operand_count} operands),"
          f" {len(problems)} failure(s), after {attempt} attempt(s)")
    return 1 if problems else 0


# ---------------------------------------------------------------- render

COLOURS = ["#7eb26d", "#eab839", "#6ed0e0", "#ef843c", "#e24d42", "#1f78c1", "#ba43a9", "#705da0",
           "#508642", "#cca300", "#447ebc", "#c15c17"]


def legend(fmt, metric):
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: metric.get(m.group(1), ""), fmt) or json.dumps(metric)


def fmt_value(v, unit):
    if unit == "percentunit":
        return f"{v * 100:.0f}%"
    if unit == "s":
        if v == 0:
            return "0"
        if v < 1e-3:
            return f"{v * 1e6:.0f}µs"
        if v < 1:
            return f"{v * 1e3:.3g}ms"
        return f"{v:.3g}s"
    if unit == "ops":
        return f"{v:.3g}/s" if v < 1000 else f"{v / 1000:.3g}k/s"
    return f"{v:.3g}" if v < 1000 else f"{v / 1000:.3g}k"


def svg_chart(series, unit, width, height, t0, t1, vmin, vmax):
    left, right, top, bottom = 52, 8, 8, 18
    w, h = width - left - right, height - top - bottom
    finite = [v for _, points in series for _, v in points if math.isfinite(v)]
    lo = vmin if vmin is not None else min([0.0] + finite)
    top_value = max([lo] + finite)
    hi = vmax if vmax is not None else (top_value * 1.1 if top_value > lo else lo + 1)
    if hi <= lo:
        hi = lo + 1
    out = [f'<svg width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">']
    for k in range(5):
        y = top + h - h * k / 4
        out.append(f'<line x1="{left}" x2="{left + w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#2c3235"/>')
        out.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{html.escape(fmt_value(lo + (hi - lo) * k / 4, unit))}</text>')
    for k in range(4):
        t = t0 + (t1 - t0) * k / 3
        x = left + w * k / 3
        out.append(f'<text x="{x:.1f}" y="{height - 4}" text-anchor="{"start" if k == 0 else "end" if k == 3 else "middle"}">'
                   f'{time.strftime("%H:%M:%S", time.gmtime(t))}</text>')
    for idx, (_, points) in enumerate(series):
        segs, seg = [], []
        for t, v in points:
            if not math.isfinite(v):
                if seg:
                    segs.append(seg)
                seg = []
                continue
            x = left + w * (t - t0) / (t1 - t0)
            y = top + h - h * (min(max(v, lo), hi) - lo) / (hi - lo)
            seg.append(f"{x:.1f},{y:.1f}")
        if seg:
            segs.append(seg)
        for s in segs:
            out.append(f'<polyline fill="none" stroke="{COLOURS[idx % len(COLOURS)]}" stroke-width="1.5" points="{" ".join(s)}"/>')
    out.append("</svg>")
    return "".join(out)


def cmd_render(args):
    dashboard = load_dashboard(args.dashboard)
    values, found = resolve_variables(args.prometheus, dashboard)
    t1 = time.time()
    t0 = t1 - args.minutes * 60
    step = max(1, int(args.minutes * 60 / 300))
    col, row_h = 58, 34
    body = []
    empty = 0
    for panel in dashboard.get("panels", []):
        g = panel["gridPos"]
        style = f"left:{g['x'] * col}px;top:{g['y'] * row_h}px;width:{g['w'] * col - 6}px;height:{g['h'] * row_h - 6}px"
        if panel.get("type") == "row":
            body.append(f'<div class="row" style="{style}">{html.escape(panel["title"])}</div>')
            continue
        unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit", "short")
        defaults = panel.get("fieldConfig", {}).get("defaults", {})
        series = []
        for target in panel.get("targets", []):
            query = substitute(target["expr"], values)
            data = api(args.prometheus, "/api/v1/query_range", {"query": query, "start": t0, "end": t1, "step": step})
            for s in data["result"]:
                points = [(float(t), float(v)) for t, v in s["values"]]
                series.append((legend(target.get("legendFormat", ""), s["metric"]), points))
        if not series:
            empty += 1
        width, height = g["w"] * col - 6, g["h"] * row_h - 6
        chart = svg_chart(series, unit, width - 12, height - 66, t0, t1, defaults.get("min"), defaults.get("max"))
        keys = "".join(f'<span><i style="background:{COLOURS[i % len(COLOURS)]}"></i>{html.escape(name)}</span>'
                       for i, (name, _) in enumerate(series))
        body.append(f'<div class="panel" style="{style}"><h2>{html.escape(panel["title"])}</h2>{chart}'
                    f'<div class="legend">{keys}</div></div>')
    variables = " ".join(f'<span class="var">{html.escape(n)} <b>All ({len(v)})</b></span>' for n, v in found.items())
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(dashboard['title'])}</title>
<style>
body {{ margin:0; background:#111217; color:#ccccdc; font:12px Inter, Helvetica, Arial, sans-serif; }}
header {{ padding:8px 12px; font-size:16px; }} header .var {{ font-size:12px; margin-left:14px; color:#9fa7b3; }}
header .var b {{ background:#22252b; border:1px solid #34373d; padding:2px 6px; color:#ccccdc; font-weight:normal; }}
main {{ position:relative; margin:0 6px; }}
.row {{ position:absolute; font-size:14px; font-weight:600; padding-top:8px; }}
.panel {{ position:absolute; background:#181b1f; border:1px solid #2c3235; border-radius:2px; padding:4px 6px; box-sizing:border-box; overflow:hidden; }}
h2 {{ font-size:12px; font-weight:500; margin:2px 0 4px; }}
svg text {{ fill:#8e8e8e; font-size:10px; }}
.legend {{ font-size:10px; line-height:13px; max-height:40px; overflow:hidden; }}
.legend span {{ margin-right:10px; white-space:nowrap; }} .legend i {{ display:inline-block; width:10px; height:3px; margin-right:4px; vertical-align:middle; }}
</style></head><body><header>{html.escape(dashboard['title'])} {variables}
<span class="var">data: Prometheus, last {args.minutes:g} min</span></header><main>{''.join(body)}</main></body></html>"""
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(page)
    print(f"INFO  rendered {sum(1 for _ in panels(dashboard))} panels ({empty} without data) into {args.out}")
    return 1 if empty else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("check", "render"):
        p = sub.add_parser(name)
        p.add_argument("--prometheus", required=True)
        p.add_argument("--dashboard", default=ROOT_DEFAULTS["dashboard"])
        if name == "check":
            p.add_argument("--rules", default=ROOT_DEFAULTS["rules"])
            p.add_argument("--wait", type=float, default=30)
        else:
            p.add_argument("--out", required=True)
            p.add_argument("--minutes", type=float, default=2)
    args = parser.parse_args()
    return cmd_check(args) if args.command == "check" else cmd_render(args)


if __name__ == "__main__":
    sys.exit(main())
