// Brotli for the files a host sends with Content-Encoding: br (Python's
// standard library has no brotli; Node's zlib has). Run by build.py:
//   node tools/compress.mjs QUALITY SOURCE DEST [SOURCE DEST]...
// Window 2^24, the largest a browser decodes (RFC 7932 section 9.1).
import { readFileSync, writeFileSync } from "node:fs";
import { brotliCompressSync, constants } from "node:zlib";

const [quality, ...pairs] = process.argv.slice(2);
for (let i = 0; i < pairs.length; i += 2) {
  const data = readFileSync(pairs[i]);
  writeFileSync(pairs[i + 1], brotliCompressSync(data, { params: {
    [constants.BROTLI_PARAM_QUALITY]: Number(quality),
    [constants.BROTLI_PARAM_LGWIN]: 24,
    [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
  } }));
}
