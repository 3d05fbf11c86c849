// Statistics over JSON in JavaScript: a `wasi:http` proxy component, packaged with its engine
// (SpiderMonkey) by componentize-js (`npm run build:stats`: see ../README.md).
//
// `POST` a JSON object `{"values": [number, ...]}` (1 to 100000 finite numbers) and get back
// `200 application/json` with `count`, `sum`, `mean`, `median`, `min`, `max` and `stddev` (the
// population standard deviation). A body that is not such an object is `400` with
// `{"error": "..."}`; any other method is `405`. `python-hello/stats.py` answers the same way.
const MAX_VALUES = 100000;

class BadInput extends Error {}

function statistics(text) {
  let document;
  try {
    document = JSON.parse(text);
  } catch (e) {
    throw new BadInput(`the body is not JSON: ${e.message}`);
  }
  if (document === null || typeof document !== 'object' || !Array.isArray(document.values)) {
    throw new BadInput('expected an object {"values": [number, ...]}');
  }
  const values = document.values;
  if (values.length < 1 || values.length > MAX_VALUES) {
    throw new BadInput(`expected 1 to ${MAX_VALUES} values, got ${values.length}`);
  }
  for (const value of values) {
    if (typeof value !== 'number') throw new BadInput(`not a number: ${JSON.stringify(value)}`);
  }
  // JSON.parse turns numbers beyond the double range into Infinity.
  if (!values.every(Number.isFinite)) throw new BadInput('the values must be finite');
  const count = values.length;
  let sum = 0;
  for (const x of values) sum += x;
  const mean = sum / count;
  const ordered = [...values].sort((a, b) => a - b);
  const middle = Math.floor(count / 2);
  const median = count % 2 ? ordered[middle] : (ordered[middle - 1] + ordered[middle]) / 2;
  let squares = 0;
  for (const x of values) squares += (x - mean) ** 2;
  return {
    count,
    sum,
    mean,
    median,
    min: ordered[0],
    max: ordered[count - 1],
    stddev: Math.sqrt(squares / count),
  };
}

function json(status, document, headers = {}) {
  return new Response(JSON.stringify(document), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

async function handle(request) {
  if (request.method !== 'POST') {
    return json(405, { error: 'POST a JSON body' }, { allow: 'POST' });
  }
  try {
    return json(200, statistics(await request.text()));
  } catch (e) {
    if (e instanceof BadInput) return json(400, { error: e.message });
    throw e;
  }
}

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));
