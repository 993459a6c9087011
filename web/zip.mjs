// A store-only ZIP archive (no compression) of a few text files, written by hand
// after the format's specification (PKWARE APPNOTE.TXT 4.3: local file header,
// central directory header, end of central directory record), so the page needs no
// library. Names are UTF-8 (general purpose flag bit 11); times are a fixed
// 1980-01-01 00:00, so the same files give the same archive.

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
const UTF8 = 0x0800;

function header(size, fields) {
  const buf = new Uint8Array(size);
  const view = new DataView(buf.buffer);
  let at = 0;
  for (const [bytes, value] of fields) {
    if (bytes === 2) view.setUint16(at, value, true);
    else view.setUint32(at, value, true);
    at += bytes;
  }
  return buf;
}

// files: [{ name, text }] -> Blob (application/zip)
export function zipFiles(files) {
  const enc = new TextEncoder();
  const parts = [];
  const central = [];
  let offset = 0;
  for (const f of files) {
    const name = enc.encode(f.name);
    const data = enc.encode(f.text);
    const crc = crc32(data);
    const local = header(30, [[4, 0x04034b50], [2, 20], [2, UTF8], [2, 0], [2, 0], [2, DOS_DATE],
      [4, crc], [4, data.length], [4, data.length], [2, name.length], [2, 0]]);
    parts.push(local, name, data);
    central.push(header(46, [[4, 0x02014b50], [2, 20], [2, 20], [2, UTF8], [2, 0], [2, 0], [2, DOS_DATE],
      [4, crc], [4, data.length], [4, data.length], [2, name.length], [2, 0], [2, 0], [2, 0], [2, 0],
      [4, 0], [4, offset]]), name);
    offset += local.length + name.length + data.length;
  }
  const size = central.reduce((n, b) => n + b.length, 0);
  const end = header(22, [[4, 0x06054b50], [2, 0], [2, 0], [2, files.length], [2, files.length],
    [4, size], [4, offset], [2, 0]]);
  return new Blob([...parts, ...central, end], { type: "application/zip" });
}
