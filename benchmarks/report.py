#!/usr/bin/env python3
"""Turn a JMH JSON result file into Markdown tables: median, error, allocation, CPU and
the ratio of this project's event loop to each peer, per benchmark."""
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
                "impl": params.get("implementation", params.get("metrics", "")),
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
        refs = [ref for ref in ("eventloop", "eventloop-spin", "unbound") if ref in by_impl]
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
                ours = by_impl[ref]["median"]
                ratio = ours / row["median"] if row["median"] else float("nan")
                cells.append(f"{ratio:.2f}x")
            if name.startswith("InlineDispatch") and "direct" in by_impl:
                cells.append(f"{row['median'] - by_impl['direct']['median']:+.2f}")
            print("| " + " | ".join(cells) + " |")
        direction = "higher is better: >1 means this project is faster" if higher_is_better else \
            "lower is better: <1 means this project is faster"
        print(f"\nRatios compare medians ({direction}). Error: JMH's 99.9% confidence half-width of the mean.\n")


if __name__ == "__main__":
    main(sys.argv[1])
