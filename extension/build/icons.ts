// The extension's icons, drawn at build time: a violet rounded square, a white envelope, and an
// amber magnifier over its corner. A tiny PNG encoder (node:zlib's deflate, CRC-32 by hand)
// writes them: no image library, no binary files in the repository.

import { deflateSync } from 'node:zlib';

type Rgba = readonly [number, number, number, number];

const VIOLET: Rgba = [91, 33, 182, 255];
const WHITE: Rgba = [255, 255, 255, 255];
const AMBER: Rgba = [251, 191, 36, 255];
const LENS_TINT: Rgba = [253, 230, 138, 255];
const CLEAR: Rgba = [0, 0, 0, 0];

/** Samples per pixel edge: 4 × 4 for smooth edges at 16 px. */
const SUPERSAMPLE = 4;

// ---------------------------------------------------------------- the drawing, in unit coordinates

function insideRoundedRect(
  x: number,
  y: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  radius: number,
): boolean {
  const cx = Math.min(Math.max(x, x0 + radius), x1 - radius);
  const cy = Math.min(Math.max(y, y0 + radius), y1 - radius);
  return x >= x0 && x <= x1 && y >= y0 && y <= y1 && (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}

function distanceToSegment(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
}

function mix(a: Rgba, b: Rgba, amount: number): Rgba {
  return [0, 1, 2, 3].map((i) => a[i]! + (b[i]! - a[i]!) * amount) as unknown as Rgba;
}

/** The colour at (x, y), 0…1 from the top left. */
function iconColor(x: number, y: number): Rgba {
  if (!insideRoundedRect(x, y, 0.02, 0.02, 0.98, 0.98, 0.22)) return CLEAR;
  let color = VIOLET;
  // The envelope, and its flap as a V.
  if (x >= 0.12 && x <= 0.72 && y >= 0.22 && y <= 0.62) {
    color = WHITE;
    const flap = Math.min(
      distanceToSegment(x, y, 0.12, 0.22, 0.42, 0.45),
      distanceToSegment(x, y, 0.42, 0.45, 0.72, 0.22),
    );
    if (flap < 0.035) color = VIOLET;
  }
  // The magnifier: a tinted lens, an amber ring, a handle.
  const lens = Math.hypot(x - 0.63, y - 0.61);
  const radius = 0.19;
  const ring = 0.075;
  if (lens < radius - ring / 2) color = mix(color, LENS_TINT, 0.45);
  if (Math.abs(lens - radius) <= ring / 2) color = AMBER;
  if (distanceToSegment(x, y, 0.77, 0.75, 0.9, 0.88) < 0.055) color = AMBER;
  return color;
}

/** RGBA pixels of the icon at `size` × `size`. */
function drawIcon(size: number): Uint8Array {
  const pixels = new Uint8Array(size * size * 4);
  const samples = SUPERSAMPLE * SUPERSAMPLE;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      // Average premultiplied colour, so transparent samples do not darken the edges.
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const [cr, cg, cb, ca] = iconColor(
            (px + (sx + 0.5) / SUPERSAMPLE) / size,
            (py + (sy + 0.5) / SUPERSAMPLE) / size,
          );
          r += cr * ca;
          g += cg * ca;
          b += cb * ca;
          a += ca;
        }
      }
      const offset = (py * size + px) * 4;
      pixels[offset] = a ? Math.round(r / a) : 0;
      pixels[offset + 1] = a ? Math.round(g / a) : 0;
      pixels[offset + 2] = a ? Math.round(b / a) : 0;
      pixels[offset + 3] = Math.round(a / samples);
    }
  }
  return pixels;
}

// ---------------------------------------------------------------- PNG

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit RGBA PNG. */
function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  if (rgba.length !== width * height * 4)
    throw new Error(`expected ${width * height * 4} bytes of RGBA, got ${rgba.length}`);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  // compression, filter, interlace: 0
  const rows = Buffer.alloc(height * (width * 4 + 1));
  for (let y = 0; y < height; y++) {
    rows[y * (width * 4 + 1)] = 0; // filter: none
    rows.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

export function iconPng(size: number): Buffer {
  return encodePng(size, size, drawIcon(size));
}
