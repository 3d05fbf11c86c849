// Drives the dashboard in headless Chromium (playwright-core, the browser from the system):
//   node test/browser.mjs --page http://127.0.0.1:4173/ --node ws://127.0.0.1:9944 \
//     --out shots [--order 3 --expect auction,lease,verdict] [--chromium /usr/bin/chromium]
// Checks the connection states (wrong URL, unreachable node), keyboard focus, the phone-width
// layout, and, for `--order`, that the order shows up in each expected view in turn; saves a
// screenshot of every state to `--out`. Exits non-zero with the reason on the first failure.

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
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: args.chromium ?? process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
const fail = async (message) => {
  console.error(`dashboard: ${message}`);
  await browser.close();
  process.exit(1);
};
const open = async (node, viewport = { width: 1280, height: 900 }) => {
  const page = await browser.newPage({ viewport });
  page.on("pageerror", (error) => console.error(`page error: ${error.message}`));
  await page.goto(`${page_url}?node=${encodeURIComponent(node)}`);
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
{
  const page = await open("http://not-a-websocket");
  await statusMatches(page, /is not a node URL/, "a wrong URL");
  await page.screenshot({ path: join(out, "wrong-url.png") });
  await page.close();
}
{
  const page = await open("ws://127.0.0.1:9");
  await statusMatches(page, /Cannot reach the node at ws:\/\/127\.0\.0\.1:9 \(attempt \d+\)/, "an unreachable node");
  await page.screenshot({ path: join(out, "unreachable.png") });
  await page.close();
}

// The live page.
const page = await open(node_url);
await statusMatches(page, /^Connected to .* best #\d+/, "the live node");
await page.waitForSelector("main[aria-busy=false]", { timeout: 60_000 });

// Keyboard: the node field and the button take focus in order.
await page.keyboard.press("Tab");
if ((await page.evaluate(() => document.activeElement?.id)) !== "node-url") {
  await fail("the first Tab does not reach the node field");
}

if (args.order) {
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
              (!verdict || /NoViolation|Violated/.test(row.textContent ?? "")),
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

// Phone width: nothing wider than the screen but the scrollable tables.
const phone = await open(node_url, { width: 390, height: 844 });
await phone.waitForSelector("main[aria-busy=false]", { timeout: 60_000 });
const overflow = await phone.evaluate(() => document.body.scrollWidth - window.innerWidth);
if (overflow > 0) await fail(`the page is ${overflow} px wider than a phone screen`);
await phone.screenshot({ path: join(out, "phone.png"), fullPage: true });

await browser.close();
console.log(`dashboard: every check passed; screenshots in ${out}`);
