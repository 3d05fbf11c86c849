#!/usr/bin/env python3
"""Block weight against concurrent leases: the measured points of `defaas-load --leases` runs
(their JSON reports) and the model line from the benchmarked weights.

    python3 scripts/plot-leases.py --round-cost-us 1234.5 --out docs/leases.png run1.json ...

Each report's `leases` section gives a point: its concurrent leases and the mean ref time
per block (all dispatch classes) from the first round's opening to the last round's end. The
model: idle + leases × (weight of one lease-period) ÷ (period in blocks), the weight of one
lease-period (committee 3) as `cargo test -p defaas-runtime --test weights -- --nocapture`
prints it, idle the lightest block the runs saw. Needs matplotlib (`pip install matplotlib`).
"""

import argparse
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="+", help="defaas-load JSON reports (--json)")
    parser.add_argument("--round-cost-us", type=float, required=True,
                        help="ref time of one lease-period, committee 3, in microseconds")
    parser.add_argument("--max-block-ms", type=float, default=1000.0,
                        help="the block's ref time limit in milliseconds")
    parser.add_argument("--label", action="append", default=[],
                        help="a label per report (e.g. before/after)")
    parser.add_argument("--out", required=True, help="PNG to write")
    args = parser.parse_args()

    points = []
    idle_ms = None
    period = None
    for i, path in enumerate(args.reports):
        with open(path) as f:
            report = json.load(f)
        leases = report.get("leases")
        if not leases:
            raise SystemExit(f"{path}: no leases section (not a --leases run)")
        label = args.label[i] if i < len(args.label) else "measured"
        verdicts = (f"{leases['roundsWithVerdict']}/{leases['roundsOpened']} verdicts, "
                    f"{leases['reveals']}/{leases['seats']} reveals")
        points.append((leases["leases"], leases["meanRefTime"] / 1e9, leases["maxRefTime"] / 1e9,
                       label, verdicts))
        lightest = min(b["totalRefTime"] for b in report["blocks"]) / 1e9
        idle_ms = lightest if idle_ms is None else min(idle_ms, lightest)
        period = leases["period"]

    top = max(p[0] for p in points) * 1.25
    xs = [top * i / 100 for i in range(101)]
    model = [idle_ms + x * args.round_cost_us / 1e3 / period for x in xs]

    fig, ax = plt.subplots(figsize=(8, 5), dpi=120)
    ax.plot(xs, model, color="tab:blue",
            label=f"model: {idle_ms:.1f} ms + leases × {args.round_cost_us:.0f} µs ÷ {period} blocks")
    markers = {}
    for leases, mean, peak, label, verdicts in points:
        style = markers.setdefault(label, ["o", "s", "^", "D"][len(markers) % 4])
        ax.scatter([leases], [mean], marker=style, color="tab:orange", zorder=3,
                   label=f"{label} (mean per block)" if label not in ax.get_legend_handles_labels()[1]
                   and f"{label} (mean per block)" not in ax.get_legend_handles_labels()[1] else None)
        ax.scatter([leases], [peak], marker=style, facecolors="none", edgecolors="tab:red", zorder=3)
        ax.annotate(verdicts, (leases, mean), textcoords="offset points",
                    xytext=(6, -12), fontsize=8)
    ax.scatter([], [], marker="o", facecolors="none", edgecolors="tab:red", label="peak block")
    ax.axhline(args.max_block_ms / 4, color="gray", linestyle="--", linewidth=1,
               label="25 % of the block")
    ax.set_xlabel(f"concurrent leases (committee 3, {period}-block periods)")
    ax.set_ylabel("ref time per block (ms)")
    ax.set_title("DeFaaS: block weight against concurrent monitored leases")
    ax.set_xlim(0, top)
    ax.set_ylim(0, max(args.max_block_ms / 4 * 1.1, max(p[2] for p in points) * 1.1))
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
