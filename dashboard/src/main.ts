// The page: connects to the node named by `?node=ws://…` (this host's port 9944 by default),
// shows the connection's state at all times, and re-reads the market at every new best block.

import { Node, RECENT_ORDERS, type Connection, type Snapshot } from "./chain";
import { duration } from "./format";
import { HISTORY_BLOCKS, PriceHistory } from "./history";
import * as views from "./views";

const params = new URLSearchParams(location.search);
const url = params.get("node") ?? `ws://${location.hostname || "127.0.0.1"}:9944`;

const status = document.getElementById("status") as HTMLElement;
const main = document.getElementById("views") as HTMLElement;
const input = document.getElementById("node-url") as HTMLInputElement;
const footer = document.getElementById("window") as HTMLElement;
input.value = url;
(document.getElementById("node-form") as HTMLFormElement).addEventListener("submit", (event) => {
  event.preventDefault();
  const next = new URLSearchParams(location.search);
  next.set("node", input.value.trim());
  location.search = next.toString();
});

/** What the status line shows besides the connection: the chain's head. */
const head = { best: 0, finalized: 0, seenAt: 0 };
let connection: Connection = { kind: "connecting", url, attempt: 1 };
let snapshot: Snapshot | undefined;
let loadError: string | undefined;
const history = new PriceHistory();

function showStatus() {
  let text: string;
  let tone: "ok" | "bad" | "wait";
  switch (connection.kind) {
    case "invalid":
      text = `“${connection.url}” is not a node URL: ${connection.error}. Enter a ws:// or wss:// URL above.`;
      tone = "bad";
      break;
    case "unreachable":
      text = `Cannot reach the node at ${connection.url} (attempt ${connection.attempt}): ${connection.error}. Retrying every 2.5 s.`;
      tone = "bad";
      break;
    case "connecting":
      text =
        connection.attempt > 1
          ? `Lost the node at ${connection.url}; reconnecting (attempt ${connection.attempt})…`
          : `Connecting to ${connection.url}…`;
      tone = "wait";
      break;
    case "connected":
      if (head.best === 0 && head.seenAt === 0) {
        text = `Connected to ${connection.url}; reading the chain…`;
        tone = "wait";
      } else {
        const ago = Math.max(0, Math.round((Date.now() - head.seenAt) / 1000));
        const lag = head.best - head.finalized;
        text = `Connected to ${connection.url} · best #${head.best} (${ago} s ago) · finalized #${head.finalized} (${lag} behind)`;
        tone = "ok";
      }
      break;
  }
  if (loadError) text += ` · last read failed: ${loadError}`;
  if (snapshot && connection.kind !== "connected") text += ` · showing the market as of block #${snapshot.number}`;
  status.textContent = text;
  status.className = tone;
}

function render(node: Node, snap: Snapshot) {
  const ctx: views.Context = {
    snapshot: snap,
    blockMs: node.blockMs(),
    native: node.nativeUnit(),
    history,
  };
  const sections: [string, (ctx: views.Context) => HTMLElement][] = [
    ["levels", views.levels],
    ["auctions", views.auctions],
    ["leases", views.leases],
    ["rounds", views.rounds],
    ["providers", views.providers],
    ["prices", views.priceChart],
    ["supply", views.supplyChart],
  ];
  for (const [id, view] of sections) {
    (document.getElementById(id) as HTMLElement).replaceChildren(view(ctx));
  }
  main.setAttribute("aria-busy", "false");
  main.dataset.block = String(snap.number);
  footer.textContent =
    `Read at block #${snap.number}. Leases, rounds and verdicts cover the ${RECENT_ORDERS} most ` +
    `recent orders; prices over time come from the events of up to ${HISTORY_BLOCKS} recent ` +
    `finalized blocks (as far back as the node keeps state); supply covers the eras the ` +
    `runtime keeps (FaasTokenApi). One block ≈ ${duration(1, ctx.blockMs)}.`;
}

function waiting(message: string) {
  for (const section of main.querySelectorAll("section > div")) {
    if (!section.hasChildNodes()) section.replaceChildren(views.el("p", { class: "empty" }, message));
  }
}

async function run() {
  waiting("Waiting for the node…");
  const node = new Node(url, (state) => {
    connection = state;
    showStatus();
  });
  setInterval(showStatus, 1_000);
  const api = await node.start();
  if (!api) {
    waiting("No node to read from.");
    return;
  }
  // One read at a time; blocks that arrive meanwhile are coalesced into the next read.
  let reading = false;
  let pending: { hash: string; number: number } | undefined;
  const read = async (hash: string, number: number) => {
    if (reading) {
      pending = { hash, number };
      return;
    }
    reading = true;
    try {
      snapshot = await node.snapshot(hash, number);
      loadError = undefined;
      render(node, snapshot);
    } catch (e) {
      loadError = e instanceof Error ? e.message : String(e);
    } finally {
      reading = false;
      showStatus();
    }
    if (pending) {
      const next = pending;
      pending = undefined;
      void read(next.hash, next.number);
    }
  };
  await api.rpc.chain.subscribeFinalizedHeads((header) => {
    head.finalized = header.number.toNumber();
    showStatus();
    // The price history follows finalized blocks only (no fork's prices in it).
    history
      .update(api, head.finalized)
      .then((changed) => {
        if (changed && snapshot) render(node, snapshot);
      })
      .catch((e) => {
        loadError = `price history: ${e instanceof Error ? e.message : String(e)}`;
        showStatus();
      });
  });
  await api.rpc.chain.subscribeNewHeads((header) => {
    head.best = header.number.toNumber();
    head.seenAt = Date.now();
    showStatus();
    void read(header.hash.toHex(), head.best);
  });
}

void run();
