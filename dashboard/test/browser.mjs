// Drives the dashboard in headless Chromium (playwright-core, the browser from the system):
//   node test/browser.mjs --page http://127.0.0.1:4173/ --node ws://127.0.0.1:9944 --out shots \
//     [--checks states,empty,keyboard,order,away,phone] [--order 3 --expect auction,lease,verdict]
//     [--relay http://127.0.0.1:4173/relay] [--chromium /usr/bin/chromium] [--timeout 300]
// The checks (default: states,keyboard,phone, plus order with --order and away with --relay):
// - states: a wrong URL and an unreachable node each show their state in the status line;
// - empty: a chain without orders, providers or prices explains every empty section;
// - keyboard: the first Tab reaches the node field;
// - order: the order `--order` shows up in each view of `--expect` in turn (auction → lease →
//   the round's verdict);
// - away: the node goes away (`POST <relay>/cut`: the test's relay in front of the node drops
//   every connection) and the page says so and keeps the last market; it comes back
//   (`POST <relay>/restore`) and the page reconnects and reads newer blocks;
// - phone: nothing is wider than a 390-pixel screen but the scrollable tables.
// A screenshot of every state goes to `--out`. Exits non-zero with the reason on the first
// failure.

import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => {
    if (arg.startsWith("--")) pairs.push([arg.slice(2), all[i + 1]]);
    return pairs;
  }, []),
);
const page_url = args.page ?? "http://127.0.0.1:4173/";
const node_url = args.node ?? "ws://127.0.0.1:9944";
const out = args.out ?? "screenshots";
const timeout = Number(args.timeout ?? 300) * 1000;
const checks = new Set(
  (args.checks ?? ["states", "keyboard", "phone", ...(args.order ? ["order"] : []), ...(args.relay ? ["away"] : [])].join(","))
    .split(","),
);
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: args.chromium ?? process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
// The page a failure is about: its status line goes into the message, its screenshot to `out`.
let current;
const fail = async (message) => {
  let status = "";
  if (current) {
    status = ` (status line: “${await current.textContent("#status").catch(() => "?")}”)`;
    await current.screenshot({ path: join(out, "failed.png"), fullPage: true }).catch(() => {});
  }
  console.error(`dashboard: ${message}${status}`);
  await browser.close();
  process.exit(1);
};
const open = async (node, viewport = { width: 1280, height: 900 }) => {
  const page = await browser.newPage({ viewport });
  page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
  await page.goto(`${page_url}?node=${encodeURIComponent(node)}`);
  current = page;
  return page;
};
const statusMatches = async (page, pattern, what) => {
  try {
    await page.waitForFunction(
      (source) => new RegExp(source).test(document.getElementById("status")?.textContent ?? ""),
      pattern.source,
      { timeout: 60_000 },
    );
  } catch {
    const text = await page.textContent("#status");
    await fail(`${what}: the status line says “${text}”`);
  }
};

// Not a node URL, and a node that is not there: a clear state, never a blank page.
if (checks.has("states")) {
  const page = await open("http://not-a-websocket");
  await statusMatches(page, /is not a node URL/, "a wrong URL");
  await page.screenshot({ path: join(out, "wrong-url.png") });
  await page.close();
}
if (checks.has("states")) {
  const page = await open("ws://127.0.0.1:9");
  await statusMatches(page, /Cannot reach the node at ws:\/\/127\.0\.0\.1:9 \(attempt \d+\)/, "an unreachable node");
  await page.screenshot({ path: join(out, "unreachable.png") });
  await page.close();
}

// The live page.
const page = await open(node_url);
await statusMatches(page, /^Connected to .* best #\d+/, "the live node");
await page.waitForSelector("main[aria-busy=false]", { timeout: 60_000 });

// An empty chain: every section says why it is empty.
if (checks.has("empty")) {
  const blank = await page.evaluate(() =>
    [...document.querySelectorAll("main section")]
      .filter((section) => !(section.querySelector("div")?.textContent ?? "").trim())
      .map((section) => section.querySelector("h2")?.textContent),
  );
  if (blank.length) await fail(`blank sections on an empty chain: ${blank.join(", ")}`);
  const expected = {
    "#auctions": /No auction/,
    "#leases": /No lease/,
    "#rounds": /No round/,
    "#providers": /No provider/,
    "#prices": /No clearing price yet/,
    "#supply": /Nothing minted or slashed yet/,
  };
  for (const [selector, pattern] of Object.entries(expected)) {
    const text = (await page.textContent(`${selector} .empty`).catch(() => null)) ?? "";
    if (!pattern.test(text)) await fail(`${selector} on an empty chain says “${text}”`);
  }
  await page.screenshot({ path: join(out, "empty.png"), fullPage: true });
  console.log("dashboard: the empty chain explains every section");
}

// Keyboard: the node field and the button take focus in order.
if (checks.has("keyboard")) {
  await page.keyboard.press("Tab");
  if ((await page.evaluate(() => document.activeElement?.id)) !== "node-url") {
    await fail("the first Tab does not reach the node field");
  }
}

if (checks.has("order")) {
  const id = `#${args.order}`;
  const views = { auction: "#auctions", lease: "#leases", verdict: "#rounds" };
  for (const stage of (args.expect ?? "auction").split(",")) {
    const selector = views[stage];
    if (!selector) await fail(`unknown stage ${stage}`);
    const verdict = stage === "verdict";
    try {
      await page.waitForFunction(
        ({ sel, order, verdict }) =>
          [...document.querySelectorAll(`${sel} tr`)].some(
            (row) =>
              row.cells[0]?.textContent === order &&
              (!verdict || /no violation|violated/.test(row.cells[5]?.textContent ?? "")),
          ),
        { sel: selector, order: id, verdict },
        { timeout, polling: 500 },
      );
    } catch {
      await fail(`order ${id} never showed in ${stage}`);
    }
    await page.screenshot({ path: join(out, `${stage}.png`), fullPage: true });
    console.log(`dashboard: order ${id} shown in ${stage}`);
  }
}
await page.screenshot({ path: join(out, "market.png"), fullPage: true });

// The node goes away and comes back.
if (checks.has("away")) {
  const relay = async (action) => {
    const response = await fetch(`${args.relay}/${action}`, { method: "POST" });
    if (!response.ok) await fail(`${action} the relay: HTTP ${response.status}`);
  };
  const shown = async () => Number(await page.getAttribute("main", "data-block"));
  await relay("cut");
  await statusMatches(page, /Lost the node at .* showing the market as of block #\d+/, "a node gone away");
  const kept = await shown();
  if (!(kept > 0)) await fail("the market was not kept while the node was away");
  await page.screenshot({ path: join(out, "away.png") });
  await relay("restore");
  await statusMatches(page, /^Connected to .* best #\d+/, "the node back");
  try {
    await page.waitForFunction(
      (before) => Number(document.querySelector("main")?.dataset.block) > before,
      kept,
      { timeout: 60_000, polling: 500 },
    );
  } catch {
    await fail(`the page kept block #${kept} after the node came back`);
  }
  await page.screenshot({ path: join(out, "back.png") });
  console.log(`dashboard: the node went away at block #${kept} and came back`);
}

// Phone width: nothing wider than the screen but the scrollable tables.
if (checks.has("phone")) {
  const phone = await open(node_url, { width: 390, height: 844 });
  await phone.waitForSelector("main[aria-busy=false]", { timeout: 60_000 });
  const overflow = await phone.evaluate(() => document.body.scrollWidth - window.innerWidth);
  if (overflow > 0) await fail(`the page is ${overflow} px wider than a phone screen`);
  await phone.screenshot({ path: join(out, "phone.png"), fullPage: true });
}

await browser.close();
console.log(`dashboard: every check passed; screenshots in ${out}`);
