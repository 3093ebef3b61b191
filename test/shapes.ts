// A generated colour-shape image folder for learning tests: 10 classes, the
// 5 shapes (square, disc, triangle, horizontal bar, vertical bar) in 2
// colours (red, blue), each drawn at a random size and place on a noisy
// grey background, written as PNGs in one subfolder per class.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { Rng } from '../lib/tensor/random';

export const SHAPES = ['square', 'disc', 'triangle', 'hbar', 'vbar'] as const;
export const COLOURS = { red: [220, 40, 40], blue: [40, 60, 220] } as const;

function inside(shape: (typeof SHAPES)[number], x: number, y: number, cx: number, cy: number, r: number): boolean {
  const dx = x - cx, dy = y - cy;
  switch (shape) {
    case 'square': return Math.abs(dx) <= r && Math.abs(dy) <= r;
    case 'disc': return dx * dx + dy * dy <= r * r;
    case 'triangle': return dy <= r && dy >= -r && Math.abs(dx) <= (dy + r) / 2;
    case 'hbar': return Math.abs(dx) <= r && Math.abs(dy) <= r / 3;
    case 'vbar': return Math.abs(dy) <= r && Math.abs(dx) <= r / 3;
  }
}

/** Writes `perClass` images of `size` x `size` per class under dir/<shape>-<colour>/; returns the class names (sorted). */
export function writeShapeFolder(dir: string, perClass: number, size: number, seed: number): string[] {
  const rng = new Rng(seed);
  const names: string[] = [];
  for (const shape of SHAPES) {
    for (const [colour, rgb] of Object.entries(COLOURS)) {
      const name = `${shape}-${colour}`;
      names.push(name);
      fs.mkdirSync(path.join(dir, name), { recursive: true });
      for (let k = 0; k < perClass; k++) {
        const png = new PNG({ width: size, height: size });
        const r = size * rng.uniform(0.18, 0.32), cx = rng.uniform(r, size - r), cy = rng.uniform(r, size - r);
        for (let y = 0; y < size; y++) {
          for (let x = 0; x < size; x++) {
            const on = inside(shape, x, y, cx, cy, r);
            const noise = rng.uniform(-25, 25);
            const px = on ? rgb.map((v) => v + noise) : [128 + noise, 128 + noise, 128 + noise];
            png.data.set([...px.map((v) => Math.max(0, Math.min(255, Math.round(v)))), 255], 4 * (y * size + x));
          }
        }
        fs.writeFileSync(path.join(dir, name, `${String(k).padStart(3, '0')}.png`), PNG.sync.write(png));
      }
    }
  }
  return names.sort();
}
