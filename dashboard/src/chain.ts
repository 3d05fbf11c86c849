// The node as the dashboard reads it: one connection (@polkadot/api over a WebSocket, which
// reconnects by itself), and a snapshot of the market read at one block — the `defaas_*`
// JSON-RPC methods for the views, the runtime's storage for what no view lists.

import { ApiPromise, WsProvider } from "@polkadot/api";
import type { Unit } from "./format";

/** What the connection is doing, for the status line. */
export type Connection =
  | { kind: "connecting"; url: string; attempt: number }
  | { kind: "connected"; url: string }
  | { kind: "unreachable"; url: string; attempt: number; error: string }
  | { kind: "invalid"; url: string; error: string };

/** An amount's asset as the node's JSON writes it. */
export type Asset = "Native" | { WithId: number };

/** `defaas_order`. */
export interface Order {
  orderId: number;
  customer: string;
  payer: string;
  asset: Asset;
  level: number;
  periods: number;
  periodLength: number;
  maxUnitPrice: string;
  committeeSize: number;
  prepay: string;
  paid: string;
  refunded: string;
  state: Record<string, Record<string, unknown>>;
  bids: number;
  provider: string | null;
  unitPrice: string | null;
  leaseStart: number | null;
  settledPeriods: number;
  violatedPeriods: number;
  createdAt: number;
}

/** `defaas_levels`. */
export interface Level {
  levelId: number;
  cpuMillicores: number;
  gpuUnits: number;
  memoryMb: number;
  packageMb: number;
  tag: string;
}

/** `defaas_provider`. */
export interface Provider {
  provider: string;
  stake: string;
  endpoint: string;
  levels: number[];
  online: boolean;
  lastHeartbeat: number | null;
  capacity: [number, number][];
  reputation: number;
  successes: number;
  violations: number;
  openBids: number;
  activeLeases: number;
}

/** A member of a round's committee (`defaas_round`). */
export interface Member {
  witness: string;
  committed: boolean;
  revealed: boolean | null;
}

/** `defaas_round`. */
export interface Round {
  orderId: number;
  round: number;
  phase: string;
  openedAt: number;
  joinEnd: number;
  commitEnd: number;
  revealEnd: number;
  members: Member[];
  commits: number;
  reveals: number;
  verdict: string | null;
}

/** FST minted, slashed and burned in one era (`FaasTokenApi::eras`). */
export interface Era {
  index: number;
  minted: bigint;
  /** Everything slashed: burned, paid to the slash destination or to customers. */
  slashed: bigint;
  burned: bigint;
  current: boolean;
}

/** The market at one block. */
export interface Snapshot {
  number: number;
  hash: string;
  levels: Level[];
  /** Orders whose auction runs. */
  auctions: Order[];
  /** Unit prices revealed so far, lowest first, by order id (auctions in their reveal phase). */
  revealed: Map<number, bigint[]>;
  /** The most recent orders (at most `RECENT_ORDERS`), newest first. */
  orders: Order[];
  providers: Provider[];
  /** The open and the last settled round of every running lease. */
  rounds: Round[];
  /** Recent clearing prices in FST, by level id. */
  prices: Map<number, bigint[]>;
  eras: Era[];
  /** Units of the payment assets the orders use, by `assetKey`. */
  units: Map<string, Unit>;
}

/** Orders read per snapshot, newest first: the dashboard's window on the market's history. */
export const RECENT_ORDERS = 100;
/** Providers read per snapshot. */
export const MAX_PROVIDERS = 200;

/** A map key for an asset. */
export function assetKey(asset: Asset): string {
  return asset === "Native" ? "native" : `asset-${asset.WithId}`;
}

/** The order state's name (`fulfilling`) and its fields. */
export function stateOf(order: Order): [string, Record<string, unknown>] {
  const [name, fields] = Object.entries(order.state)[0] ?? ["unknown", {}];
  return [name, fields ?? {}];
}

/** A connection to one node; `onChange` hears every change of its state. */
export class Node {
  readonly url: string;
  api: ApiPromise | undefined;
  private provider: WsProvider | undefined;
  private attempt = 0;

  constructor(url: string, private onChange: (state: Connection) => void) {
    this.url = url;
  }

  /** Connects (and keeps reconnecting); resolves once the API is ready the first time. */
  async start(): Promise<ApiPromise | undefined> {
    let parsed: URL;
    try {
      parsed = new URL(this.url);
    } catch (e) {
      this.onChange({ kind: "invalid", url: this.url, error: String(e) });
      return undefined;
    }
    if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
      this.onChange({
        kind: "invalid",
        url: this.url,
        error: `a node URL starts with ws:// or wss://, not ${parsed.protocol}//`,
      });
      return undefined;
    }
    this.attempt = 1;
    this.onChange({ kind: "connecting", url: this.url, attempt: this.attempt });
    // Reconnects every 2.5 s after a failure or a lost connection.
    const provider = new WsProvider(this.url, 2_500);
    this.provider = provider;
    // Never connected: the node cannot be reached; connected before: it was lost.
    let everConnected = false;
    let lastError = "no answer";
    provider.on("connected", () => {
      everConnected = true;
      this.onChange({ kind: "connected", url: this.url });
    });
    provider.on("error", (error: unknown) => {
      if (error instanceof Error && error.message) lastError = error.message;
    });
    provider.on("disconnected", () => {
      this.attempt += 1;
      this.onChange(
        everConnected
          ? { kind: "connecting", url: this.url, attempt: this.attempt }
          : { kind: "unreachable", url: this.url, attempt: this.attempt, error: lastError },
      );
    });
    this.api = await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: false });
    return this.api;
  }

  /** A raw JSON-RPC call (the `defaas_*` methods answer plain JSON). */
  async rpc<T>(method: string, params: unknown[]): Promise<T> {
    if (!this.provider) throw new Error("not connected");
    return (await this.provider.send(method, params)) as T;
  }

  /** The native token's unit (the chain's properties). */
  nativeUnit(): Unit {
    const registry = this.api?.registry;
    return {
      symbol: registry?.chainTokens[0] ?? "FST",
      decimals: registry?.chainDecimals[0] ?? 12,
    };
  }

  /** Milliseconds per block (BABE's expected block time). */
  blockMs(): number {
    const expected = this.api?.consts.babe?.expectedBlockTime;
    return expected ? Number(expected.toString()) : 3_000;
  }

  /** Reads the market at block `hash` (number `number`). */
  async snapshot(hash: string, number: number): Promise<Snapshot> {
    const api = this.api;
    if (!api) throw new Error("not connected");
    const at = await api.at(hash);
    const erasCall = at.call.faasTokenApi?.eras;
    if (!erasCall) throw new Error("this node's runtime has no FaasTokenApi: is it a DeFaaS node?");
    const [levels, auctions, nextOrderId, providerKeys, history] = await Promise.all([
      this.rpc<Level[]>("defaas_levels", [hash]),
      this.rpc<Order[]>("defaas_openOrders", [null, RECENT_ORDERS, hash]),
      at.query.market.nextOrderId(),
      at.query.market.providers.keys(),
      erasCall(),
    ]);

    const newest = Number(nextOrderId.toString());
    const ids: number[] = [];
    for (let id = newest - 1; id >= 0 && ids.length < RECENT_ORDERS; id--) ids.push(id);
    const orders = (
      await Promise.all(ids.map((id) => this.rpc<Order | null>("defaas_order", [id, hash])))
    ).filter((order): order is Order => order !== null);

    const accounts = providerKeys
      .slice(0, MAX_PROVIDERS)
      .map((key) => key.args[0].toString());
    const providers = (
      await Promise.all(
        accounts.map((who) => this.rpc<Provider | null>("defaas_provider", [who, hash])),
      )
    ).filter((p): p is Provider => p !== null);

    // Every running lease's open round and the one before it (its verdict).
    const wanted: [number, number][] = [];
    for (const order of orders) {
      const [name, fields] = stateOf(order);
      if (name !== "fulfilling") continue;
      const round = Number(fields.round ?? 0);
      wanted.push([order.orderId, round]);
      if (round > 0) wanted.push([order.orderId, round - 1]);
    }
    const rounds = (
      await Promise.all(
        wanted.map(([id, round]) => this.rpc<Round | null>("defaas_round", [id, round, hash])),
      )
    ).filter((r): r is Round => r !== null);

    const prices = new Map<number, bigint[]>();
    await Promise.all(
      levels.map(async (level) => {
        const recent = await at.query.market.recentPrices(level.levelId, "Native");
        prices.set(
          level.levelId,
          (recent.toJSON() as (string | number)[]).map((p) => BigInt(p)),
        );
      }),
    );

    type Totals = { minted: string | number; burned: string | number; slashed: string | number };
    const kept = history.toJSON() as {
      current: (Totals & { index: number }) | null;
      closed: [number, Totals][];
    };
    const era = (index: number, t: Totals, current: boolean): Era => ({
      index,
      minted: BigInt(t.minted),
      slashed: BigInt(t.slashed),
      burned: BigInt(t.burned),
      current,
    });
    const eras = kept.closed.map(([index, totals]) => era(index, totals, false));
    if (kept.current) eras.push(era(kept.current.index, kept.current, true));
    eras.sort((a, b) => a.index - b.index);

    // Sealed bids show only as a count; once revealed, their prices are public (Market.Bids).
    const revealed = new Map<number, bigint[]>();
    await Promise.all(
      auctions
        .filter((order) => stateOf(order)[0] === "revealing")
        .map(async (order) => {
          const bids = (await at.query.market.bids(order.orderId)).toJSON() as
            | { price: string | number | null }[]
            | null;
          const prices = (bids ?? [])
            .filter((bid) => bid.price !== null && bid.price !== undefined)
            .map((bid) => BigInt(bid.price as string | number))
            .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          revealed.set(order.orderId, prices);
        }),
    );

    const units = new Map<string, Unit>([["native", this.nativeUnit()]]);
    for (const order of [...orders, ...auctions]) {
      const key = assetKey(order.asset);
      if (units.has(key) || order.asset === "Native") continue;
      const id = order.asset.WithId;
      const metadata = (await at.query.assets.metadata(id)).toJSON() as {
        symbol?: string;
        decimals?: number;
      } | null;
      units.set(key, {
        symbol: decodeSymbol(metadata?.symbol) ?? `asset ${id}`,
        decimals: metadata?.decimals ?? 0,
      });
    }

    return {
      number,
      hash,
      levels,
      auctions,
      revealed,
      orders,
      providers,
      rounds,
      prices,
      eras,
      units,
    };
  }
}

/** An asset symbol from storage: `0x…` hex of UTF-8 bytes, or already text. */
function decodeSymbol(symbol: string | undefined): string | undefined {
  if (!symbol) return undefined;
  if (!symbol.startsWith("0x")) return symbol;
  const bytes = symbol
    .slice(2)
    .match(/../g)
    ?.map((byte) => parseInt(byte, 16));
  return bytes && bytes.length ? new TextDecoder().decode(new Uint8Array(bytes)) : undefined;
}
