import { inflateSync } from 'node:zlib';

/** An 8-bit RGBA image. */
export interface Image {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/**
 * Decodes the PNGs that chromium's screenshots are: 8-bit truecolour (RGB or RGBA), not
 * interlaced. Enough to count pixels in a test; anything else throws.
 */
export function decodePng(png: Buffer): Image {
  if (png.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (pos < png.length) {
    const length = png.readUInt32BE(pos);
    const type = png.toString('latin1', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, colour, , , interlace] = [data[8], data[9], data[10], data[11], data[12]];
      if (depth !== 8 || (colour !== 2 && colour !== 6) || interlace !== 0)
        throw new Error('unsupported PNG');
      channels = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? (cur[x - channels] as number) : 0;
      const b = prev[x] as number;
      const c = x >= channels ? (prev[x - channels] as number) : 0;
      const v = line[x] as number;
      let p: number;
      if (filter === 0) p = 0;
      else if (filter === 1) p = a;
      else if (filter === 2) p = b;
      else if (filter === 3) p = (a + b) >> 1;
      else {
        const q = a + b - c;
        const pa = Math.abs(q - a);
        const pb = Math.abs(q - b);
        const pc = Math.abs(q - c);
        p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      cur[x] = (v + p) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < 3; k++) out[(y * width + x) * 4 + k] = cur[x * channels + k] as number;
      out[(y * width + x) * 4 + 3] = channels === 4 ? (cur[x * channels + 3] as number) : 255;
    }
    prev = cur;
  }
  return { width, height, rgba: out };
}

/** Pixels within `tolerance` (per channel) of the colour #rrggbb. */
export function countColour(image: Image, hex: string, tolerance = 40): number {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [
    number,
    number,
    number,
  ];
  let n = 0;
  for (let i = 0; i < image.rgba.length; i += 4) {
    if (
      Math.abs((image.rgba[i] as number) - r) <= tolerance &&
      Math.abs((image.rgba[i + 1] as number) - g) <= tolerance &&
      Math.abs((image.rgba[i + 2] as number) - b) <= tolerance
    )
      n++;
  }
  return n;
}

/** Pixels that are not (near) white: something was drawn. */
export function countInk(image: Image): number {
  let n = 0;
  for (let i = 0; i < image.rgba.length; i += 4) {
    if (
      (image.rgba[i] as number) < 235 ||
      (image.rgba[i + 1] as number) < 235 ||
      (image.rgba[i + 2] as number) < 235
    )
      n++;
  }
  return n;
}

/**
 * The centre of the lowest blob of colour #rrggbb (within `tolerance`): the mean of the matching
 * pixels within `radius` of the lowest one. Null when the colour is absent.
 */
export function lowestBlobCentre(
  image: Image,
  hex: string,
  tolerance = 40,
  radius = 10,
): { x: number; y: number } | null {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [
    number,
    number,
    number,
  ];
  const matches = (x: number, y: number) => {
    const i = (y * image.width + x) * 4;
    return (
      Math.abs((image.rgba[i] as number) - r) <= tolerance &&
      Math.abs((image.rgba[i + 1] as number) - g) <= tolerance &&
      Math.abs((image.rgba[i + 2] as number) - b) <= tolerance
    );
  };
  for (let y = image.height - 1; y >= 0; y--) {
    for (let x = 0; x < image.width; x++) {
      if (!matches(x, y)) continue;
      let [sx, sy, n] = [0, 0, 0];
      for (let v = Math.max(0, y - 2 * radius); v <= y; v++) {
        for (let u = Math.max(0, x - radius); u <= Math.min(image.width - 1, x + radius); u++) {
          if (matches(u, v)) [sx, sy, n] = [sx + u, sy + v, n + 1];
        }
      }
      return { x: Math.round(sx / n), y: Math.round(sy / n) };
    }
  }
  return null;
}
