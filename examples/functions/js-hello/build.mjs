// Packages a JavaScript module as a wasi:http component: `node build.mjs SOURCE OUTPUT`
// (`npm run build` builds app.js into target/js-hello.wasm, `npm run build:stats` stats.js
// into target/js-stats.wasm; `npm ci` first).
import { componentize } from '@bytecodealliance/componentize-js';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

const [source, out] = process.argv.slice(2);
if (!source || !out) {
  console.error('usage: node build.mjs SOURCE.js OUTPUT.wasm');
  process.exit(2);
}
const { component } = await componentize({
  sourcePath: source,
  witPath: 'wit',
  worldName: 'js-hello',
});
await mkdir(dirname(out), { recursive: true });
await writeFile(out, component);
console.log(`${out}: ${component.length} bytes`);
