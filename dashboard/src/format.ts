// Numbers as people read them: amounts with their asset's decimals and symbol, block counts as
// durations, accounts shortened, parts per million as percentages.

/** An asset's unit: what the chain calls it and how many decimals its amounts have. */
export interface Unit {
  symbol: string;
  decimals: number;
}

/**
 * `raw` (the smallest unit, a decimal string or bigint as the node's JSON gives 128-bit
 * numbers) in whole units: thousands grouped, at most `places` decimals, trailing zeros
 * dropped, the symbol after it.
 */
export function amount(raw: string | bigint, unit: Unit, places = 4): string {
  let value: bigint;
  try {
    value = typeof raw === "bigint" ? raw : BigInt(raw);
  } catch {
    return `? ${unit.symbol}`;
  }
  const negative = value < 0n;
  if (negative) value = -value;
  const scale = 10n ** BigInt(unit.decimals);
  const whole = value / scale;
  let fraction = (value % scale).toString().padStart(unit.decimals, "0").slice(0, places);
  fraction = fraction.replace(/0+$/, "");
  const grouped = whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const approx = value % scale !== 0n && fraction.length === places ? "≈ " : "";
  const text = fraction ? `${grouped}.${fraction}` : grouped;
  return `${negative ? "−" : ""}${approx}${text} ${unit.symbol}`;
}

/** `blocks` blocks of `blockMs` milliseconds each, as "1 h 5 min", "42 s". */
export function duration(blocks: number, blockMs: number): string {
  if (blocks <= 0) return "now";
  let seconds = Math.round((blocks * blockMs) / 1000);
  const parts: string[] = [];
  const days = Math.floor(seconds / 86400);
  seconds -= days * 86400;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  if (days) parts.push(`${days} d`);
  if (hours) parts.push(`${hours} h`);
  if (minutes && !days) parts.push(`${minutes} min`);
  if (seconds && !days && !hours) parts.push(`${seconds} s`);
  return parts.join(" ");
}

/** An SS58 address shortened to its first and last six characters. */
export function short(address: string): string {
  return address.length > 14 ? `${address.slice(0, 6)}…${address.slice(-6)}` : address;
}

/** Parts per million (a `Permill` as the node's JSON gives it) as a percentage. */
export function permill(ppm: number): string {
  return `${(ppm / 10_000).toFixed(ppm % 10_000 === 0 ? 0 : 2)} %`;
}

/** A whole number with thousands grouped. */
export function count(n: number | bigint): string {
  return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** The value at quantile `q` (0–1) of `values` (nearest rank); `undefined` when empty. */
export function quantile(values: bigint[], q: number): bigint | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}
