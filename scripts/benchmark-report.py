#!/usr/bin/env python3
# Usage: scripts/benchmark-report.py RESULT.json [MORE.json ...]
"""Turn a JMH JSON result file into Markdown tables: median, error, allocation, CPU and
the ratio of this project's event loop to each peer, per benchmark. Given several files
(runs of the same benchmarks), print the median of each run and the median of the per-run
ratios instead."""
import json
import statistics
import sys


def short(name):
    parts = name.split(".")
    return parts[-2] + "." + parts[-1]


def params_label(params):
    return ", ".join(f"{v}" for v in (params or {}).values()) or "-"


def median(metric, mode):
    if mode == "sample":
        return metric["scorePercentiles"]["50.0"]
    raw = [x for fork in metric.get("rawData", []) for x in fork]
    return statistics.median(raw) if raw else metric["score"]


def impl_key(params):
    """The parameter that names the implementation under test."""
    return next((key for key in ("implementation", "metrics", "proxy") if key in params), None)


def others_of(params):
    """The other parameters (LedgerBenchmark's accounts), which keep rows apart."""
    return tuple((k, v) for k, v in params.items() if k != impl_key(params))


def secondary(entry, key):
    metric = entry.get("secondaryMetrics", {}).get(key)
    return None if metric is None else metric["score"]


def fmt(value, digits=3):
    if value is None or isinstance(value, str):
        return "-" if value is None else value
    if value != value:
        return "NaN"
    if abs(value) >= 1e6:
        return f"{value / 1e6:.2f} M"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.1f}"
    return f"{value:.{digits}g}" if abs(value) < 1 else f"{value:.2f}"


def across_runs(paths):
    """Median over several runs of the same benchmarks, and the median of the per-run
    ratios of this project to each implementation (each run compares the
    implementations under the same machine load)."""
    runs = []
    for path in paths:
        with open(path) as handle:
            runs.append(json.load(handle))
    table = {}
    for run_index, results in enumerate(runs):
        for entry in results:
            params = entry.get("params") or {}
            impl = params.get("implementation", params.get("metrics", params.get("proxy", "")))
            others = ", ".join(f"{v}" for _, v in others_of(params))
            key = (short(entry["benchmark"]), impl, others)
            table.setdefault(key, {})[run_index] = (entry["mode"], entry["primaryMetric"]["scoreUnit"],
                                                   median(entry["primaryMetric"], entry["mode"]))
    names = sorted({name for name, _, _ in table})
    print(f"### Across {len(runs)} runs\n")
    for name in names:
        rows = [(impl, others) for (n, impl, others) in table if n == name]
        impls = {impl for impl, _ in rows}
        refs = [ref for ref in ("eventloop", "eventloop-spin", "unbound", "onEventLoop") if ref in impls]
        mode, unit = next(iter(table[(name, *rows[0])].values()))[:2]
        header = ["implementation"] + [f"run {i + 1}" for i in range(len(runs))] + ["median of runs"]
        header += [f"{ref} ÷ this (median of per-run ratios)" for ref in refs]
        print(f"#### {name} ({mode}, {unit}, median of each run)\n")
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for impl, others in rows:
            per_run = table[(name, impl, others)]
            label = f"{others}, {impl}" if others else impl
            cells = [label] + [fmt(per_run[i][2]) if i in per_run else "-" for i in range(len(runs))]
            cells.append(fmt(statistics.median(v[2] for v in per_run.values())))
            for ref in refs:
                reference = table.get((name, ref, others), {})
                ratios = [reference[i][2] / per_run[i][2] for i in per_run if i in reference]
                cells.append(f"{statistics.median(ratios):.2f}x ({', '.join(f'{r:.2f}' for r in ratios)})"
                             if ratios else "-")
            print("| " + " | ".join(cells) + " |")
        print()


def main(path):
    with open(path) as handle:
        results = json.load(handle)
    groups = {}
    for entry in results:
        groups.setdefault(short(entry["benchmark"]), []).append(entry)
    for name, entries in groups.items():
        mode = entries[0]["mode"]
        unit = entries[0]["primaryMetric"]["scoreUnit"]
        rows = []
        for entry in entries:
            metric = entry["primaryMetric"]
            params = entry.get("params") or {}
            rows.append({
                "label": params_label(params),
                "others": others_of(params),
                "impl": params.get("implementation", params.get("metrics", params.get("proxy", ""))),
                "median": median(metric, mode),
                "mean": metric["score"],
                "error": metric["scoreError"],
                "p99": metric.get("scorePercentiles", {}).get("99.0"),
                "p999": metric.get("scorePercentiles", {}).get("99.9"),
                "alloc": secondary(entry, "gc.alloc.rate.norm"),
                "cores": secondary(entry, "cpu.cores"),
                "cpu": secondary(entry, "cpu.per.op"),
                "threads": entry.get("threads"),
            })
        by_impl = {row["impl"]: row for row in rows}
        # the reference of a row is the row of the reference implementation with the same
        # other parameters (LedgerBenchmark also varies the number of accounts)
        by_key = {(row["impl"], row["others"]): row for row in rows}
        refs = [ref for ref in ("eventloop", "eventloop-spin", "unbound", "onEventLoop") if ref in by_impl]
        higher_is_better = mode == "thrpt"
        print(f"### {name} ({mode}, {unit}, {entries[0].get('threads')} thread(s))\n")
        header = ["implementation", "median", "mean ± error"]
        if mode == "sample":
            header += ["p99", "p99.9"]
        header += ["alloc B/op", "CPU cores", "CPU ns/op"]
        header += [f"{ref} ÷ this" for ref in refs]
        if name.startswith("InlineDispatch") and "direct" in by_impl:
            header.append("minus direct (ns)")
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for row in rows:
            cells = [row["label"], fmt(row["median"]), f"{fmt(row['mean'])} ± {fmt(row['error'])}"]
            if mode == "sample":
                cells += [fmt(row["p99"]), fmt(row["p999"])]
            cells += [fmt(row["alloc"]), fmt(row["cores"]), fmt(row["cpu"])]
            for ref in refs:
                ours = by_key.get((ref, row["others"]), by_impl[ref])["median"]
                ratio = ours / row["median"] if row["median"] else float("nan")
                cells.append(f"{ratio:.2f}x")
            if name.startswith("InlineDispatch") and "direct" in by_impl:
                cells.append(f"{row['median'] - by_impl['direct']['median']:+.2f}")
            print("| " + " | ".join(cells) + " |")
        direction = "higher is better: >1 means this project is faster" if higher_is_better else \
            "lower is better: <1 means this project is faster"
        print(f"\nRatios compare medians ({direction}). Error: JMH's 99.9% confidence half-width of the mean.\n")


USAGE = """Usage: scripts/benchmark-report.py RESULT.json [MORE.json ...]

  one file      Markdown tables of that JMH JSON run: median, mean and error, allocation,
                CPU, and the ratio of this project's loop to each peer
  several files the median of each run and the median of the per-run ratios
"""


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(USAGE, end="")
        sys.exit(0 if len(sys.argv) >= 2 else 2)
    if len(sys.argv) > 2:
        across_runs(sys.argv[1:])
    else:
        main(sys.argv[1])
