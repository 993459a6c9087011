// Parses Terraform files with HashiCorp's own HCL parser (hashicorp/hcl, Go,
// compiled to wasm in the @cdktf/hcl2json package) and prints one JSON line per
// file: {"file": PATH, "ok": true, "json": {...}} or {"file": PATH, "ok": false,
// "error": "..."}. Test-only (tests/corpus); reads the files, runs nothing in them.
//
//   node tests/node/hcl2json.mjs FILE...      paths as arguments
//   node tests/node/hcl2json.mjs - < LIST      one path a line on standard input
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { parse } = require("@cdktf/hcl2json");

async function readList() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8").split("\n").filter((l) => l.length > 0);
}

const args = process.argv.slice(2);
const files = args.length === 1 && args[0] === "-" ? await readList() : args;
for (const file of files) {
  let line;
  try {
    const json = await parse(file, readFileSync(file, "utf8"));
    line = { file, ok: true, json };
  } catch (e) {
    line = { file, ok: false, error: String(e && e.message ? e.message : e) };
  }
  process.stdout.write(JSON.stringify(line) + "\n");
}
