// pool2d max / avg / sum, forward and backward: native against TS.
import { describe, expect, it } from 'vitest';
import { pool2dOutputSize } from '../lib/backend/geometry';
import type { Pool2dShape, PoolMode } from '../lib/backend/types';
import { expectCloseRel, randInt, rng, randomArray } from './helpers';
import { forEachIsa, js, native } from './native-helpers';

/**
 * Max pooling that keeps the winners, on both backends: the same y as
 * pool2dForward, the same winners on both, and, from them, pool2dBackward's
 * dx (dxRef, the TS backend's) bit for bit, without x.
 */
function checkArgmax(s: Pool2dShape, x: Float32Array, dy: Float32Array, yRef: Float32Array, dxRef: Float32Array, what: string): void {
  const winners = { native: new Uint8Array(dy.length).fill(255), js: new Uint8Array(dy.length).fill(254) };
  for (const b of [native, js]) {
    const y = new Float32Array(dy.length).fill(7);
    b.pool2dForward(s, x, y, winners[b.name]);
    expect(Array.from(y), `${what} ${b.name} forward with argmax`).toEqual(Array.from(yRef));
    const dx = new Float32Array(x.length).fill(NaN);
    b.pool2dBackwardFromArgmax(s, winners[b.name], dy, dx);
    expect(Array.from(dx), `${what} ${b.name} backward from argmax`).toEqual(Array.from(dxRef));
  }
  expect(Array.from(winners.native), `${what} winners`).toEqual(Array.from(winners.js));
}

function check(s: Pool2dShape, seed: number, tag: string): void {
  const ho = pool2dOutputSize(s.h, s.kh, s.strideH ?? s.kh, s.padH ?? 0, s.ceilMode ?? false);
  const wo = pool2dOutputSize(s.w, s.kw, s.strideW ?? s.kw, s.padW ?? 0, s.ceilMode ?? false);
  const rand = rng(seed);
  // Coarse values make ties, so "first maximum wins" is exercised.
  const x = randomArray(rand, s.n * s.c * s.h * s.w).map((v) => Math.round(v * 4) / 4);
  const dy = randomArray(rand, s.n * s.c * ho * wo);
  const what = `${tag} ${JSON.stringify(s)}`;
  const y = new Float32Array(dy.length).fill(NaN), yRef = new Float32Array(dy.length);
  native.pool2dForward(s, x, y);
  js.pool2dForward(s, x, yRef);
  expectCloseRel(y, yRef, 1e-6, `${what} forward`);
  const dx = new Float32Array(x.length).fill(NaN), dxRef = new Float32Array(x.length);
  native.pool2dBackward(s, x, dy, dx);
  js.pool2dBackward(s, x, dy, dxRef);
  expectCloseRel(dx, dxRef, 1e-6, `${what} backward`);
  if (s.mode === 'max') checkArgmax(s, x, dy, yRef, dxRef, what);
}

const modes: PoolMode[] = ['max', 'avg', 'sum'];

describe('pool2d native vs TS', () => {
  it('matches on edge cases for every mode (ceil mode, padding, stride > kernel, batch 1)', () => {
    const cases: Omit<Pool2dShape, 'mode'>[] = [
      { n: 1, c: 1, h: 5, w: 5, kh: 2, kw: 2, ceilMode: true },
      { n: 2, c: 3, h: 7, w: 6, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 },
      { n: 2, c: 3, h: 7, w: 6, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 1, padW: 1, ceilMode: true, countIncludePad: false },
      { n: 1, c: 2, h: 9, w: 9, kh: 2, kw: 2, strideH: 3, strideW: 3 },
      { n: 1, c: 1, h: 1, w: 1, kh: 1, kw: 1 },
      { n: 1, c: 130, h: 4, w: 4, kh: 2, kw: 2 },
      { n: 3, c: 2, h: 8, w: 11, kh: 3, kw: 2, strideH: 1, strideW: 2, padH: 1, ceilMode: true },
      { n: 2, c: 3, h: 6, w: 45, kh: 2, kw: 2 }, // 2x2 rows in chunks of 16 + 4 + an overlapping 4
    ];
    let n = 0;
    forEachIsa((isa) => cases.forEach((c, i) => modes.forEach((mode) => { check({ ...c, mode }, i, isa); n++; })));
    expect(n).toBeGreaterThanOrEqual(cases.length * modes.length);
  });

  it('matches on 30 random shapes', () => {
    const rand = rng(77);
    for (let i = 0; i < 30; i++) {
      const kh = randInt(rand, 1, 4), kw = randInt(rand, 1, 4);
      check({
        mode: modes[i % 3]!, n: randInt(rand, 1, 3), c: randInt(rand, 1, 4), h: randInt(rand, kh, 12), w: randInt(rand, kw, 12),
        kh, kw, strideH: randInt(rand, 1, 3), strideW: randInt(rand, 1, 3), padH: randInt(rand, 0, kh >> 1), padW: randInt(rand, 0, kw >> 1),
        ceilMode: rand() < 0.5, countIncludePad: rand() < 0.5,
      }, i, 'random');
    }
  });

  it('propagates NaN through max pooling like PyTorch', () => {
    const s: Pool2dShape = { mode: 'max', n: 1, c: 1, h: 2, w: 2, kh: 2, kw: 2 };
    for (const b of [native, js]) {
      const y = new Float32Array(1);
      b.pool2dForward(s, new Float32Array([1, NaN, 3, 2]), y);
      expect(Number.isNaN(y[0]), b.name).toBe(true);
    }
  });

  it('sends the 2x2 max gradient to the first NaN, else to the first maximum, row by row', () => {
    // Window row 0 holds NaNs (the first in window order wins: cells 4 and
    // 3); row 1 has none: a tie of 5s (cell 9 first) and of -0 and +0 (cell 10).
    const s: Pool2dShape = { mode: 'max', n: 1, c: 1, h: 4, w: 4, kh: 2, kw: 2 };
    const x = new Float32Array([1, 9, 3, NaN, NaN, 2, 4, NaN, 1, 5, -0, 0, 0, 5, -5, -6]);
    const dy = new Float32Array([10, 20, 30, 40]);
    for (const b of [native, js]) {
      const dx = new Float32Array(16).fill(NaN);
      b.pool2dBackward(s, x, dy, dx);
      expect(Array.from(dx), b.name).toEqual([0, 0, 0, 20, 10, 0, 0, 0, 0, 30, 40, 0, 0, 0, 0, 0]);
    }
  });

  it('sends overlapping 3x3 window gradients to the row-major first maximum, or the first NaN', () => {
    // 3x3 windows, stride 2, padding 1 over a 4x5 plane: window rows 0-1
    // and 1-3, window columns 0-1, 1-3 and 3-4. Worked by hand:
    //   (0,0) max 8 at (1,1).
    //   (0,1) max 8 at (0,3) and (1,1): row-major order picks (0,3), though
    //         column 1 comes first (a column-first split would pick (1,1)).
    //   (0,2) max 8 at (0,3): that cell sums two windows' gradients.
    //   (1,0) max 8 at (1,1).
    //   (1,1) holds one NaN, at (3,3): it wins.
    //   (1,2) holds NaNs at (2,4) and (3,3): the first, (2,4), wins.
    const s: Pool2dShape = { mode: 'max', n: 1, c: 1, h: 4, w: 5, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 };
    const x = new Float32Array([
      1, 2, 0, 8, 3,
      0, 8, 1, 2, 1,
      4, 0, 1, 2, NaN,
      2, 3, 0, NaN, 7,
    ]);
    const dy = new Float32Array([1, 10, 100, 1000, 10000, 100000]);
    const want = new Float32Array(20);
    want[1 * 5 + 1] = 1 + 1000;
    want[0 * 5 + 3] = 10 + 100;
    want[3 * 5 + 3] = 10000;
    want[2 * 5 + 4] = 100000;
    const check = (b: typeof js, tag: string): void => {
      const dx = new Float32Array(20).fill(NaN);
      b.pool2dBackward(s, x, dy, dx);
      expect(Array.from(dx), tag).toEqual(Array.from(want));
      const y = new Float32Array(6);
      b.pool2dForward(s, x, y);
      expect(Array.from(y), tag).toEqual([8, 8, 8, 8, NaN, NaN]);
    };
    check(js, 'js');
    forEachIsa((isa) => check(native, `native ${isa}`));
  });

  it('matches TS exactly on 3x3 stride-2 max pools without NaN (the AVX2 / AVX-512 vector tiles), and with NaN or -inf in some planes', () => {
    // Widths around one and two vector blocks (8 and 16 windows, 2L + 1
    // input columns), padding 0 and 1 on each axis, ceil mode, tiny planes.
    // Values: a coarse grid with -0 and +0, so ties decide winners and a
    // wrong tie rule changes the sign or the cell. Plane 1 of each batch
    // holds a NaN and plane 2 a -inf: the vector path must hand those to
    // the general loops, and the others must not be disturbed.
    const widths = [1, 2, 3, 4, 5, 8, 15, 16, 17, 18, 31, 32, 33, 34, 35, 36, 37, 63, 66, 67, 112];
    const shapes: Omit<Pool2dShape, 'mode'>[] = [];
    widths.forEach((w, i) => {
      const padH = i % 2, padW = (i >> 1) % 2;
      shapes.push({ n: 1, c: 3, h: 1 + (i % 7), w, kh: 3, kw: 3, strideH: 2, strideW: 2, padH, padW, ceilMode: i % 3 === 0 });
    });
    shapes.push({ n: 2, c: 2, h: 12, w: 112, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 });
    shapes.push({ n: 1, c: 3, h: 9, w: 40, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 0, padW: 0, ceilMode: true });
    let checked = 0;
    forEachIsa((isa) => shapes.forEach((shape, i) => {
      const s: Pool2dShape = { ...shape, mode: 'max' };
      const ho = pool2dOutputSize(s.h, s.kh, 2, s.padH ?? 0, s.ceilMode ?? false);
      const wo = pool2dOutputSize(s.w, s.kw, 2, s.padW ?? 0, s.ceilMode ?? false);
      if (ho === 0 || wo === 0) return;
      const rand = rng(900 + i);
      const plane = s.h * s.w;
      const x = randomArray(rand, s.n * s.c * plane).map((v) => Math.round(v * 2) / 2 * (rand() < 0.5 ? 1 : -1));
      x[plane + randInt(rand, 0, plane - 1)] = NaN;
      x[2 * plane + randInt(rand, 0, plane - 1)] = -Infinity;
      const dy = randomArray(rand, s.n * s.c * ho * wo);
      const what = `${isa} ${JSON.stringify(shape)}`;
      const y = new Float32Array(dy.length).fill(7), yRef = new Float32Array(dy.length);
      native.pool2dForward(s, x, y);
      js.pool2dForward(s, x, yRef);
      expect(Array.from(y), `${what} forward`).toEqual(Array.from(yRef));
      const dx = new Float32Array(x.length).fill(NaN), dxRef = new Float32Array(x.length);
      native.pool2dBackward(s, x, dy, dx);
      js.pool2dBackward(s, x, dy, dxRef);
      expect(Array.from(dx), `${what} backward`).toEqual(Array.from(dxRef));
      checkArgmax(s, x, dy, yRef, dxRef, what);
      checked++;
    }));
    expect(checked).toBeGreaterThanOrEqual(shapes.length * 2);
  });

  it('matches TS exactly on large max-pool planes with ties and NaNs, on every ISA path', () => {
    // Planes wide enough for full vectors and their remainders; coarse
    // values (many ties, both signs) and a few NaNs. The gradient sums of
    // overlapping windows must come out bit-equal: same winners, same order.
    const shapes: Omit<Pool2dShape, 'mode'>[] = [
      { n: 2, c: 3, h: 37, w: 41, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 },
      { n: 1, c: 2, h: 20, w: 35, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 1, padW: 1, ceilMode: true },
      { n: 1, c: 2, h: 19, w: 33, kh: 3, kw: 3, strideH: 1, strideW: 1, padH: 1, padW: 1 },
      { n: 1, c: 2, h: 23, w: 40, kh: 5, kw: 5, strideH: 2, strideW: 2, padH: 2, padW: 2 },
      { n: 1, c: 2, h: 17, w: 38, kh: 2, kw: 3, strideH: 3, strideW: 3, padH: 1, padW: 1, ceilMode: true },
      { n: 1, c: 1, h: 9, w: 50, kh: 4, kw: 2, strideH: 1, strideW: 1 },
      // 2x2 stride 2: rows of 1, 3, 5, 7, 14, 33 windows cover every chunk
      // split (16, 8, 4, an overlapping 4, single windows); odd sizes leave
      // a last row and column no window reads.
      { n: 2, c: 3, h: 7, w: 2, kh: 2, kw: 2 },
      { n: 2, c: 3, h: 6, w: 7, kh: 2, kw: 2 },
      { n: 2, c: 3, h: 10, w: 10, kh: 2, kw: 2 },
      { n: 1, c: 4, h: 14, w: 14, kh: 2, kw: 2 },
      { n: 1, c: 2, h: 28, w: 28, kh: 2, kw: 2 },
      { n: 1, c: 2, h: 9, w: 67, kh: 2, kw: 2 },
    ];
    let checked = 0;
    forEachIsa((isa) => shapes.forEach((shape, i) => {
      const s: Pool2dShape = { ...shape, mode: 'max' };
      const ho = pool2dOutputSize(s.h, s.kh, s.strideH ?? s.kh, s.padH ?? 0, s.ceilMode ?? false);
      const wo = pool2dOutputSize(s.w, s.kw, s.strideW ?? s.kw, s.padW ?? 0, s.ceilMode ?? false);
      const rand = rng(500 + i);
      const x = randomArray(rand, s.n * s.c * s.h * s.w).map((v) => (rand() < 0.01 ? NaN : Math.round(v * 3) / 3 + 0));
      const dy = randomArray(rand, s.n * s.c * ho * wo);
      const y = new Float32Array(dy.length), yRef = new Float32Array(dy.length);
      native.pool2dForward(s, x, y);
      js.pool2dForward(s, x, yRef);
      expect(Array.from(y), `${isa} forward ${JSON.stringify(shape)}`).toEqual(Array.from(yRef));
      const dx = new Float32Array(x.length).fill(NaN), dxRef = new Float32Array(x.length);
      native.pool2dBackward(s, x, dy, dx);
      js.pool2dBackward(s, x, dy, dxRef);
      expect(Array.from(dx), `${isa} backward ${JSON.stringify(shape)}`).toEqual(Array.from(dxRef));
      checked++;
    }));
    expect(checked).toBeGreaterThanOrEqual(shapes.length * 2);
  });
});
