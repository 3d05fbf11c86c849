// Each section of the page, rendered from one snapshot of the market. Plain DOM: tables with
// captions and header cells (screen readers and keyboards need nothing more), SVG charts
// with a text alternative.

import { assetKey, stateOf, type Order, type Snapshot } from "./chain";
import type { PriceHistory } from "./history";
import { amount, count, duration, permill, quantile, short, type Unit } from "./format";

/** An element with `text`, or with `children`. */
export function el(
  tag: string,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** A table with a caption, or `empty` as a paragraph when there are no rows. */
function table(caption: string, head: string[], rows: (Node | string)[][], empty: string) {
  if (rows.length === 0) return el("p", { class: "empty" }, empty);
  return el(
    "div",
    { class: "scroll", tabindex: "0", role: "region", "aria-label": caption },
    el(
      "table",
      {},
      el("caption", {}, caption),
      el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...rows.map((row) => el("tr", {}, ...row.map((cell) => el("td", {}, cell))))),
    ),
  );
}

/** What a view needs besides the snapshot. */
export interface Context {
  snapshot: Snapshot;
  blockMs: number;
  native: Unit;
  /** Clearing prices read from the events of recent blocks. */
  history: PriceHistory;
}

function unitOf(ctx: Context, order: Order): Unit {
  return ctx.snapshot.units.get(assetKey(order.asset)) ?? ctx.native;
}

function levelName(ctx: Context, id: number): string {
  const level = ctx.snapshot.levels.find((l) => l.levelId === id);
  return level?.tag ? `${id} (${level.tag})` : String(id);
}

/** Blocks until `block` as a duration, or "ended". */
function until(ctx: Context, block: unknown): string {
  const left = Number(block) - ctx.snapshot.number;
  return left > 0 ? `${duration(left, ctx.blockMs)} (#${block})` : `due (#${block})`;
}

export function levels(ctx: Context): HTMLElement {
  const rows = ctx.snapshot.levels.map((level) => {
    const prices = ctx.snapshot.prices.get(level.levelId) ?? [];
    const p50 = quantile(prices, 0.5);
    return [
      levelName(ctx, level.levelId),
      `${count(level.cpuMillicores)} mCPU`,
      `${count(level.memoryMb)} MB`,
      `${count(level.packageMb)} MB`,
      level.gpuUnits ? `${level.gpuUnits} GPU` : "—",
      p50 === undefined ? "no lease yet" : `${amount(p50, ctx.native)} / period`,
    ];
  });
  return table(
    "FaaS levels",
    ["level", "CPU", "memory", "package", "GPU", "recent price (p50)"],
    rows,
    "No FaaS level is defined on this chain yet.",
  );
}

/** The prices revealed so far (lowest first), or why there are none to show. */
function revealedPrices(ctx: Context, order: Order): string {
  const prices = ctx.snapshot.revealed.get(order.orderId);
  if (!prices) return "sealed";
  if (prices.length === 0) return "none yet";
  return prices.map((p) => amount(p, unitOf(ctx, order))).join(", ");
}

export function auctions(ctx: Context): HTMLElement {
  const rows = ctx.snapshot.auctions.map((order) => {
    const [name, fields] = stateOf(order);
    const end = name === "bidding" ? fields.biddingEnds : fields.revealEnds;
    return [
      `#${order.orderId}`,
      levelName(ctx, order.level),
      `${order.periods} × ${duration(order.periodLength, ctx.blockMs)}`,
      amount(order.maxUnitPrice, unitOf(ctx, order)),
      name === "bidding" ? "sealed bids" : "revealing",
      `${order.bids}`,
      revealedPrices(ctx, order),
      until(ctx, end),
    ];
  });
  return table(
    "Open auctions",
    ["order", "level", "periods", "max price / period", "phase", "bids", "revealed prices", "closes in"],
    rows,
    "No auction is open.",
  );
}

const LEASE_STATES = new Set(["confirming", "deploying", "handoffDisputed", "handoffChecking", "fulfilling"]);

export function leases(ctx: Context): HTMLElement {
  const rows = ctx.snapshot.orders
    .filter((order) => LEASE_STATES.has(stateOf(order)[0]))
    .map((order) => {
      const [name] = stateOf(order);
      const left = order.periods - order.settledPeriods;
      const paid = order.settledPeriods - order.violatedPeriods;
      return [
        `#${order.orderId}`,
        levelName(ctx, order.level),
        order.provider ? short(order.provider) : "—",
        order.unitPrice ? amount(order.unitPrice, unitOf(ctx, order)) : "—",
        name,
        `${paid} paid · ${order.violatedPeriods} violated · ${left} left`,
      ];
    });
  return table(
    "Active leases",
    ["order", "level", "provider", "price / period", "state", "periods"],
    rows,
    "No lease is running.",
  );
}

export function providers(ctx: Context): HTMLElement {
  const rows = ctx.snapshot.providers.map((p) => [
    short(p.provider),
    amount(p.stake, ctx.native),
    permill(p.reputation),
    p.capacity.map(([level, free]) => `level ${level}: ${free}`).join(", ") || "—",
    `${p.activeLeases} leases · ${p.openBids} bids`,
    p.online ? "online" : "offline",
  ]);
  return table(
    "Providers",
    ["provider", "stake", "reputation", "free capacity", "load", "status"],
    rows,
    "No provider is registered.",
  );
}

export function rounds(ctx: Context): HTMLElement {
  const rows = ctx.snapshot.rounds
    .sort((a, b) => a.orderId - b.orderId || b.round - a.round)
    .map((round) => {
      const committee = round.members
        .map((m) => {
          const report = m.revealed === null ? (m.committed ? "committed" : "…") : m.revealed ? "violation" : "clean";
          return `${short(m.witness)} ${report}`;
        })
        .join("; ");
      return [
        `#${round.orderId}`,
        `${round.round}`,
        round.phase.toLowerCase(),
        committee || "drawing",
        `${round.commits} / ${round.reveals}`,
        verdictText(round.verdict),
      ];
    });
  return table(
    "Rounds of the running leases",
    ["order", "round", "phase", "committee (report)", "commits / reveals", "verdict"],
    rows,
    "No round is open.",
  );
}

/** A verdict as the JSON names it (`noViolation`, `violated`), in words. */
function verdictText(verdict: string | null): string {
  if (verdict === null) return "—";
  return verdict.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

/** Bars of `series` (one per label), as SVG with a text table for screen readers. */
function bars(
  caption: string,
  labels: string[],
  series: { name: string; values: bigint[]; class: string }[],
  unit: Unit,
): HTMLElement {
  const max = series.flatMap((s) => s.values).reduce((a, b) => (b > a ? b : a), 0n);
  const width = 320;
  const height = 120;
  const group = width / Math.max(1, labels.length);
  const bar = Math.max(2, group / (series.length + 1));
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height + 14}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", caption);
  labels.forEach((label, i) => {
    series.forEach((s, j) => {
      const value = s.values[i] ?? 0n;
      const h = max === 0n ? 0 : Number((value * BigInt(height)) / max);
      const rect = document.createElementNS("http://www.w3.org/2000/svg", "rect");
      rect.setAttribute("x", String(i * group + j * bar + bar / 2));
      rect.setAttribute("y", String(height - h));
      rect.setAttribute("width", String(bar * 0.9));
      rect.setAttribute("height", String(h));
      rect.setAttribute("class", s.class);
      const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
      title.textContent = `${label}: ${s.name} ${amount(value, unit)}`;
      rect.append(title);
      svg.append(rect);
    });
    const text = document.createElementNS("http://www.w3.org/2000/svg", "text");
    text.setAttribute("x", String(i * group + group / 2));
    text.setAttribute("y", String(height + 12));
    text.setAttribute("text-anchor", "middle");
    text.textContent = label;
    svg.append(text);
  });
  const legend = el(
    "p",
    { class: "legend" },
    ...series.map((s) => el("span", { class: s.class }, s.name)),
  );
  return el("figure", {}, svg, legend, el("figcaption", {}, caption));
}

/** Buckets of the price chart's time axis. */
const PRICE_BUCKETS = 12;

/** Lines of `series` over `labels` (a missing value leaves a gap), as SVG with a title on
 * every point. */
function lines(
  caption: string,
  labels: string[],
  series: { name: string; values: (bigint | undefined)[]; class: string }[],
  unit: Unit,
): HTMLElement {
  const all = series.flatMap((s) => s.values).filter((v): v is bigint => v !== undefined);
  const max = all.reduce((a, b) => (b > a ? b : a), 0n);
  const width = 320;
  const height = 120;
  const step = width / Math.max(1, labels.length);
  const y = (v: bigint) => (max === 0n ? height : height - Number((v * BigInt(height - 6)) / max));
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height + 14}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", caption);
  for (const s of series) {
    let path = "";
    s.values.forEach((value, i) => {
      if (value === undefined) return;
      const x = i * step + step / 2;
      path += `${path && s.values[i - 1] !== undefined ? "L" : "M"}${x.toFixed(1)},${y(value).toFixed(1)}`;
      const dot = document.createElementNS("http://www.w3.org/2000/svg", "circle");
      dot.setAttribute("cx", x.toFixed(1));
      dot.setAttribute("cy", y(value).toFixed(1));
      // Later series as rings around the earlier ones' dots: equal values stay visible.
      dot.setAttribute("r", String(3 + 2 * series.indexOf(s)));
      dot.setAttribute("class", s.class);
      const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
      title.textContent = `${labels[i]}: ${s.name} ${amount(value, unit)}`;
      dot.append(title);
      svg.append(dot);
    });
    const line = document.createElementNS("http://www.w3.org/2000/svg", "path");
    line.setAttribute("d", path);
    line.setAttribute("class", `line ${s.class}`);
    svg.prepend(line);
  }
  const top = document.createElementNS("http://www.w3.org/2000/svg", "text");
  top.setAttribute("x", "0");
  top.setAttribute("y", "10");
  top.textContent = amount(max, unit);
  svg.append(top);
  [0, labels.length - 1].forEach((i) => {
    const text = document.createElementNS("http://www.w3.org/2000/svg", "text");
    text.setAttribute("x", String(i === 0 ? 0 : width));
    text.setAttribute("y", String(height + 12));
    text.setAttribute("text-anchor", i === 0 ? "start" : "end");
    text.textContent = labels[i] ?? "";
    svg.append(text);
  });
  const legend = el("p", { class: "legend" }, ...series.map((s) => el("span", { class: s.class }, s.name)));
  return el("figure", {}, svg, legend, el("figcaption", {}, caption));
}

/** Clearing prices per level and payment asset over the blocks read, p50 and p90 per slice of
 * time, with the runtime's recent clearing prices when no event was read yet. */
export function priceChart(ctx: Context): HTMLElement {
  const { history, snapshot } = ctx;
  const window =
    history.to >= history.from
      ? `blocks #${history.from}–#${history.to}` +
        (history.pruned ? " (the node keeps no older state)" : "")
      : "reading the recent blocks…";
  const groups = new Map<string, bigint[][]>();
  const span = Math.max(1, history.to - history.from + 1);
  const bucketOf = (block: number) =>
    Math.min(PRICE_BUCKETS - 1, Math.floor(((block - history.from) * PRICE_BUCKETS) / span));
  for (const c of history.clearings) {
    if (c.block < history.from || c.block > history.to) continue;
    const key = `${c.level}|${c.asset}`;
    const buckets = groups.get(key) ?? Array.from({ length: PRICE_BUCKETS }, () => [] as bigint[]);
    buckets[bucketOf(c.block)].push(c.price);
    groups.set(key, buckets);
  }
  const labels = Array.from({ length: PRICE_BUCKETS }, (_, i) => {
    const first = history.from + Math.floor((i * span) / PRICE_BUCKETS);
    return `#${first}`;
  });
  const figures: HTMLElement[] = [];
  for (const [key, buckets] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const [level, asset] = key.split("|");
    const unit = asset === "native" ? ctx.native : (snapshot.units.get(asset) ?? { symbol: asset, decimals: 0 });
    const count = buckets.reduce((n, b) => n + b.length, 0);
    figures.push(
      lines(
        `Level ${level}, prices per period in ${unit.symbol}: p50 and p90 of ${count} clearing${count === 1 ? "" : "s"}, ${window}`,
        labels,
        [
          { name: "p50", values: buckets.map((b) => quantile(b, 0.5)), class: "s1" },
          { name: "p90", values: buckets.map((b) => quantile(b, 0.9)), class: "s2" },
        ],
        unit,
      ),
    );
  }
  // The runtime's recent clearing prices: older than the window, or while it is being read.
  const recent = snapshot.levels.filter((l) => (snapshot.prices.get(l.levelId) ?? []).length);
  const pick = (q: number) => recent.map((l) => quantile(snapshot.prices.get(l.levelId) ?? [], q) ?? 0n);
  const summary = recent.length
    ? bars(
        "The runtime's recent clearing prices per period in FST, by level (p50 and p90)",
        recent.map((l) => `level ${l.levelId}`),
        [
          { name: "p50", values: pick(0.5), class: "s1" },
          { name: "p90", values: pick(0.9), class: "s2" },
        ],
        ctx.native,
      )
    : undefined;
  if (figures.length === 0 && !summary) {
    return el("p", { class: "empty" }, `No clearing price yet: no auction has closed (${window}).`);
  }
  if (figures.length === 0) figures.push(el("p", { class: "empty" }, `No clearing in ${window}.`));
  return el("div", { class: "charts" }, ...figures, ...(summary ? [summary] : []));
}

export function supplyChart(ctx: Context): HTMLElement {
  const eras = ctx.snapshot.eras;
  if (eras.length === 0) return el("p", { class: "empty" }, "No era has started yet.");
  if (eras.every((e) => e.minted === 0n && e.slashed === 0n)) {
    const current = eras.find((e) => e.current)?.index ?? eras[eras.length - 1]?.index;
    return el(
      "p",
      { class: "empty" },
      `Nothing minted or slashed yet (era ${current} is the current one; rewards are minted as rounds settle).`,
    );
  }
  return bars(
    `${ctx.native.symbol} minted (witness rewards), slashed (stakes and deposits taken) and burned (the part of the slashes destroyed) per era`,
    eras.map((e) => (e.current ? `${e.index} (now)` : `${e.index}`)),
    [
      { name: "minted", values: eras.map((e) => e.minted), class: "s1" },
      { name: "slashed", values: eras.map((e) => e.slashed), class: "s2" },
      { name: "burned", values: eras.map((e) => e.burned), class: "s3" },
    ],
    ctx.native,
  );
}
