// A small RGBA raster for the visualisations: fill, nearest-neighbour
// blits of scalar maps through a colour map, text in a built-in 3x5 pixel
// font (labels must not depend on fonts installed on the machine), PNG out
// through pngjs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';

export type Rgb = readonly [number, number, number];

// 3x5 glyphs, rows top to bottom; '#' is ink.
const GLYPHS: Record<string, string> = {
  '0': '### #.# #.# #.# ###', '1': '.#. ##. .#. .#. ###', '2': '### ..# ### #.. ###', '3': '### ..# .## ..# ###',
  '4': '#.# #.# ### ..# ..#', '5': '### #.. ### ..# ###', '6': '### #.. ### #.# ###', '7': '### ..# .#. .#. .#.',
  '8': '### #.# ### #.# ###', '9': '### #.# ### ..# ###', 'A': '.#. #.# ### #.# #.#', 'B': '##. #.# ##. #.# ##.',
  'C': '.## #.. #.. #.. .##', 'D': '##. #.# #.# #.# ##.', 'E': '### #.. ##. #.. ###', 'F': '### #.. ##. #.. #..',
  'G': '.## #.. #.# #.# .##', 'H': '#.# #.# ### #.# #.#', 'I': '### .#. .#. .#. ###', 'J': '..# ..# ..# #.# .#.',
  'K': '#.# #.# ##. #.# #.#', 'L': '#.. #.. #.. #.. ###', 'M': '#.# ### ### #.# #.#', 'N': '##. #.# #.# #.# #.#',
  'O': '.#. #.# #.# #.# .#.', 'P': '##. #.# ##. #.. #..', 'Q': '.#. #.# #.# ##. .##', 'R': '##. #.# ##. #.# #.#',
  'S': '.## #.. .#. ..# ##.', 'T': '### .#. .#. .#. .#.', 'U': '#.# #.# #.# #.# ###', 'V': '#.# #.# #.# #.# .#.',
  'W': '#.# #.# ### ### #.#', 'X': '#.# #.# .#. #.# #.#', 'Y': '#.# #.# .#. .#. .#.', 'Z': '### ..# .#. #.. ###',
  '-': '... ... ### ... ...', '.': '... ... ... ... .#.', ':': '... .#. ... .#. ...', '#': '#.# ### #.# ### #.#',
  '/': '..# ..# .#. #.. #..', '%': '#.. ..# .#. #.. ..#', '=': '... ### ... ### ...', '+': '... .#. ### .#. ...',
  '(': '.#. #.. #.. #.. .#.', ')': '.#. ..# ..# ..# .#.', ' ': '... ... ... ... ...', '_': '... ... ... ... ###',
};

export class Canvas {
  readonly rgba: Uint8Array;

  constructor(readonly width: number, readonly height: number, background: Rgb = [255, 255, 255]) {
    this.rgba = new Uint8Array(width * height * 4);
    this.fill(0, 0, width, height, background);
  }

  set(x: number, y: number, c: Rgb): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = 4 * (y * this.width + x);
    this.rgba[i] = c[0];
    this.rgba[i + 1] = c[1];
    this.rgba[i + 2] = c[2];
    this.rgba[i + 3] = 255;
  }

  fill(x: number, y: number, w: number, h: number, c: Rgb): void {
    for (let j = y; j < y + h; j++) for (let i = x; i < x + w; i++) this.set(i, j, c);
  }

  /** Draws an h x w map at (x, y), each cell `scale` pixels, coloured by color(value). */
  drawMap(map: ArrayLike<number>, h: number, w: number, x: number, y: number, scale: number, color: (v: number) => Rgb): void {
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) this.fill(x + c * scale, y + r * scale, scale, scale, color(map[r * w + c]!));
    }
  }

  /** Text in the 3x5 font, `size` pixels per font pixel; lower case is drawn as upper case. */
  text(s: string, x: number, y: number, c: Rgb = [0, 0, 0], size = 1): void {
    let cx = x;
    for (const ch of s.toUpperCase()) {
      const g = GLYPHS[ch] ?? GLYPHS[' ']!;
      g.split(' ').forEach((row, ry) => {
        for (let rx = 0; rx < 3; rx++) if (row[rx] === '#') this.fill(cx + rx * size, y + ry * size, size, size, c);
      });
      cx += 4 * size;
    }
  }

  static textWidth(s: string, size = 1): number {
    return s.length * 4 * size;
  }

  writePng(file: string): void {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const png = new PNG({ width: this.width, height: this.height });
    png.data.set(this.rgba);
    fs.writeFileSync(file, PNG.sync.write(png));
  }
}

// A perceptually ordered colour map (viridis, sampled at 9 points).
const VIRIDIS: Rgb[] = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141], [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

/** Colour for t in [0, 1] (clamped). */
export function viridis(t: number): Rgb {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x)), f = x - i;
  const a = VIRIDIS[i]!, b = VIRIDIS[i + 1]!;
  return [Math.round(a[0] + f * (b[0] - a[0])), Math.round(a[1] + f * (b[1] - a[1])), Math.round(a[2] + f * (b[2] - a[2]))];
}

/** Blue (negative) - white (0) - red (positive), for signed maps such as filters. */
export function diverging(t: number): Rgb {
  const v = Math.min(1, Math.max(-1, Number.isFinite(t) ? t : 0));
  return v >= 0 ? [255, Math.round(255 * (1 - v)), Math.round(255 * (1 - v))] : [Math.round(255 * (1 + v)), Math.round(255 * (1 + v)), 255];
}

export function formatNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 100 || a < 0.01 ? v.toExponential(1) : v.toFixed(a >= 10 ? 1 : 2);
}
