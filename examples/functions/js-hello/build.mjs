// Builds js-hello.wasm: `npm ci && npm run build` (the output path is the first argument).
import { componentize } from '@bytecodealliance/componentize-js';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

const out = process.argv[2] ?? 'target/js-hello.wasm';
const { component } = await componentize({
  sourcePath: 'app.js',
  witPath: 'wit',
  worldName: 'js-hello',
});
await mkdir(dirname(out), { recursive: true });
await writeFile(out, component);
console.log(`${out}: ${component.length} bytes`);
