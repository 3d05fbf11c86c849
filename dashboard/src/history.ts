// Clearing prices over time, from the events of recent finalized blocks: no indexer. Every
// `Market.OrderConfirmed` event carries the order's level, payment asset and clearing price.
// On start the page reads back up to `HISTORY_BLOCKS` blocks (or to the oldest block whose
// state the node still keeps), then every newly finalized block.

import type { ApiPromise } from "@polkadot/api";
import { assetKey, type Asset } from "./chain";

/** How many finalized blocks the page reads back when it starts (2 h of 3-second blocks). */
export const HISTORY_BLOCKS = 2_400;
/** Blocks read at once while reading back. */
const BATCH = 16;

/** One clearing price: the winner confirmed `orderId` at `price` per period. */
export interface Clearing {
  block: number;
  orderId: number;
  level: number;
  /** `assetKey` of the payment asset. */
  asset: string;
  price: bigint;
}

/** The clearing prices the page has read, and which blocks it has read them from. */
export class PriceHistory {
  clearings: Clearing[] = [];
  /** Lowest and highest block read (`from` > `to` while nothing is read yet). */
  from = 1;
  to = 0;
  /** The node no longer had the state of the block below `from` (a pruned node). */
  pruned = false;
  private busy = false;

  /** Read the events of the blocks finalized since the last call (and, the first time, of
   * the blocks before). One update at a time: a call while one runs returns at once. */
  async update(api: ApiPromise, finalized: number): Promise<boolean> {
    if (this.busy || finalized <= this.to) return false;
    this.busy = true;
    try {
      if (this.to === 0) {
        // First call: read back from `finalized`, newest first, until the window or the
        // node's pruned state ends it.
        this.to = finalized;
        this.from = finalized + 1;
        const oldest = Math.max(1, finalized - HISTORY_BLOCKS + 1);
        while (this.from > oldest) {
          const low = Math.max(oldest, this.from - BATCH);
          const numbers = range(low, this.from - 1);
          const read = await Promise.allSettled(numbers.map((n) => clearingsAt(api, n)));
          // Stop at the first block (from the top) that could not be read.
          let reached = this.from;
          for (let i = read.length - 1; i >= 0; i--) {
            const result = read[i];
            if (result.status === "rejected") {
              this.pruned = true;
              break;
            }
            this.clearings.push(...result.value);
            reached = numbers[i];
          }
          this.from = reached;
          if (this.pruned) break;
        }
      } else {
        for (let n = this.to + 1; n <= finalized; n++) {
          this.clearings.push(...(await clearingsAt(api, n)));
          this.to = n;
        }
      }
      this.clearings.sort((a, b) => a.block - b.block);
      return true;
    } finally {
      this.busy = false;
    }
  }
}

function range(low: number, high: number): number[] {
  const out: number[] = [];
  for (let n = low; n <= high; n++) out.push(n);
  return out;
}

/** The clearing prices in block `number`'s events. */
async function clearingsAt(api: ApiPromise, number: number): Promise<Clearing[]> {
  const hash = await api.rpc.chain.getBlockHash(number);
  const at = await api.at(hash);
  const records = (await at.query.system.events()) as unknown as {
    event: { section: string; method: string; data: { names?: string[] | null; toArray(): { toJSON(): unknown }[] } };
  }[];
  const out: Clearing[] = [];
  for (const { event } of records) {
    if (event.section !== "market" || event.method !== "OrderConfirmed") continue;
    const names = (event.data.names ?? []).map((n) => n.replace(/_/g, "").toLowerCase());
    const values = event.data.toArray().map((v) => v.toJSON());
    const field = (name: string) => values[names.indexOf(name)];
    // Events of a runtime before the level and asset were added are skipped.
    const level = field("level");
    const asset = field("asset");
    const price = field("unitprice");
    if (typeof level !== "number" || asset === undefined || price === undefined) continue;
    out.push({
      block: number,
      orderId: Number(field("orderid")),
      level,
      asset: assetKey(normalizeAsset(asset)),
      price: BigInt(price as string | number),
    });
  }
  return out;
}

/** An asset as `toJSON` writes it (`{ native: null }` or `{ withId: 1 }`) in the shape of
 * the `defaas_*` JSON. */
function normalizeAsset(raw: unknown): Asset {
  if (raw && typeof raw === "object") {
    const [name, value] = Object.entries(raw as Record<string, unknown>)[0] ?? ["native", null];
    if (name.toLowerCase() === "withid") return { WithId: Number(value) };
  }
  return "Native";
}
