// Hello in JavaScript: a `wasi:http` proxy component, packaged with its engine (SpiderMonkey)
// by componentize-js. Answers every request with `200 text/plain` and
// `Hello from DeFaaS in JavaScript! path=<path and query>`.
addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  const text = `Hello from DeFaaS in JavaScript! path=${url.pathname}${url.search}\n`;
  event.respondWith(new Response(text, { headers: { 'content-type': 'text/plain' } }));
});
