import { PGlite } from "@electric-sql/pglite";

let t = performance.now();
const a = await PGlite.create();
console.log("create", performance.now() - t);
t = performance.now();
const b = await a.clone();
console.log("clone", performance.now() - t);
t = performance.now();
const dump = await a.dumpDataDir("none");
console.log("dump", performance.now() - t, dump.size);
t = performance.now();
const c = await PGlite.create({ loadDataDir: dump });
console.log("load", performance.now() - t);
const wasmModule = await WebAssembly.compile(
  await (await import("node:fs/promises")).readFile(
    new URL("./node_modules/@electric-sql/pglite/dist/pglite.wasm", "file:///work/main/"),
  ),
);
t = performance.now();
const d = await PGlite.create({ loadDataDir: dump, wasmModule });
console.log("load+wasm", performance.now() - t);
t = performance.now();
const e = await PGlite.create({ loadDataDir: dump, wasmModule });
console.log("load+wasm2", performance.now() - t);
