// conv2d forward / backward-data / backward-weight / bias: native on every
// ISA path against the TS backend, on randomized and edge-case shapes.
import { describe, expect, it } from 'vitest';
import { conv2dOutputSize } from '../lib/backend/geometry';
import type { Conv2dShape } from '../lib/backend/types';
import { abs, expectCloseScaled, randInt, rng, randomArray } from './helpers';
import { ISAS, forEachIsa, js, native } from './native-helpers';

type Full = Required<Conv2dShape>;

function full(s: Conv2dShape): Full {
  return { strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, groups: 1, ...s };
}

function sizes(s: Full) {
  const ho = conv2dOutputSize(s.h, s.kh, s.strideH, s.padH, s.dilationH);
  const wo = conv2dOutputSize(s.w, s.kw, s.strideW, s.padW, s.dilationW);
  return { ho, wo, x: s.n * s.c * s.h * s.w, w: (s.k * s.c * s.kh * s.kw) / s.groups, y: s.n * s.k * ho * wo };
}

function check(s: Full, seed: number, tag: string): void {
  const z = sizes(s);
  const rand = rng(seed);
  const x = randomArray(rand, z.x), w = randomArray(rand, z.w), bias = randomArray(rand, s.k), dy = randomArray(rand, z.y);
  const what = `${tag} ${JSON.stringify(s)}`;
  const cg = s.c / s.groups;

  const y = new Float32Array(z.y).fill(NaN), yRef = new Float32Array(z.y), yScale = new Float32Array(z.y);
  native.conv2dForward(s, x, w, bias, y);
  js.conv2dForward(s, x, w, bias, yRef);
  js.conv2dForward(s, abs(x), abs(w), abs(bias), yScale);
  expectCloseScaled(y, yRef, yScale, cg * s.kh * s.kw + 1, `${what} forward`);

  const dx = new Float32Array(z.x).fill(NaN), dxRef = new Float32Array(z.x), dxScale = new Float32Array(z.x);
  native.conv2dBackwardData(s, dy, w, dx);
  js.conv2dBackwardData(s, dy, w, dxRef);
  js.conv2dBackwardData(s, abs(dy), abs(w), dxScale);
  expectCloseScaled(dx, dxRef, dxScale, (s.k / s.groups) * s.kh * s.kw, `${what} backward data`);

  const dw = new Float32Array(z.w).fill(NaN), dwRef = new Float32Array(z.w), dwScale = new Float32Array(z.w);
  native.conv2dBackwardWeight(s, x, dy, dw);
  js.conv2dBackwardWeight(s, x, dy, dwRef);
  js.conv2dBackwardWeight(s, abs(x), abs(dy), dwScale);
  expectCloseScaled(dw, dwRef, dwScale, s.n * z.ho * z.wo, `${what} backward weight`);

  const db = new Float32Array(s.k).fill(NaN), dbRef = new Float32Array(s.k), dbScale = new Float32Array(s.k);
  native.conv2dBackwardBias(s, dy, db);
  js.conv2dBackwardBias(s, dy, dbRef);
  js.conv2dBackwardBias(s, abs(dy), dbScale);
  expectCloseScaled(db, dbRef, dbScale, s.n * z.ho * z.wo, `${what} backward bias`);
}

const edgeCases: Conv2dShape[] = [
  { n: 1, c: 1, h: 1, w: 1, k: 1, kh: 1, kw: 1 }, // 1x1 everything
  { n: 1, c: 5, h: 6, w: 7, k: 3, kh: 1, kw: 1 }, // pointwise fast path
  { n: 2, c: 3, h: 9, w: 8, k: 4, kh: 3, kw: 3, padH: 1, padW: 1 },
  { n: 3, c: 4, h: 11, w: 10, k: 6, kh: 3, kw: 2, strideH: 2, strideW: 3, padH: 1, dilationH: 2, groups: 2 },
  { n: 2, c: 6, h: 7, w: 7, k: 6, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 1, padW: 1, groups: 6 }, // depthwise
  { n: 8, c: 1, h: 28, w: 28, k: 6, kh: 5, kw: 5, padH: 2, padW: 2 }, // LeNet conv1, batch-parallel path
  { n: 2, c: 6, h: 14, w: 14, k: 16, kh: 5, kw: 5 }, // LeNet conv2
  { n: 1, c: 64, h: 10, w: 10, k: 40, kh: 3, kw: 3, padH: 1, padW: 1 }, // many channels
  { n: 1, c: 3, h: 5, w: 9, k: 2, kh: 5, kw: 2, strideW: 4, padW: 1, dilationW: 3 },
  { n: 2, c: 2, h: 4, w: 4, k: 3, kh: 2, kw: 2, strideH: 3, strideW: 3, padH: 1, padW: 1 }, // stride > kernel
  { n: 1, c: 8, h: 6, w: 6, k: 8, kh: 1, kw: 1, strideH: 2, strideW: 2 }, // 1x1 strided (not pointwise)
  // Direct-kernel tiles and padded layouts: padding wider than the kernel
  // (wide rows as long as the output), padding only along the rows or only
  // along the columns, channel counts just past one and two vectors.
  { n: 2, c: 3, h: 5, w: 6, k: 2, kh: 2, kw: 3, padH: 3, padW: 4 },
  { n: 3, c: 2, h: 9, w: 11, k: 17, kh: 3, kw: 3, padW: 1 },
  { n: 5, c: 20, h: 7, w: 5, k: 33, kh: 2, kw: 2, padH: 1 },
  { n: 2, c: 9, h: 6, w: 23, k: 1, kh: 3, kw: 4, padH: 2, padW: 3 },
  // Stride 2 on the direct kernels (phase planes): ResNet's downsampling
  // 3x3, odd sizes, one axis strided, padding past the filter, a 1-wide
  // output row.
  { n: 2, c: 16, h: 16, w: 16, k: 32, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 },
  { n: 3, c: 5, h: 13, w: 11, k: 9, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 },
  { n: 1, c: 3, h: 9, w: 12, k: 17, kh: 5, kw: 4, strideH: 2, padH: 2 },
  { n: 2, c: 4, h: 8, w: 7, k: 3, kh: 2, kw: 3, strideW: 2, padH: 3, padW: 4 },
  { n: 2, c: 2, h: 7, w: 3, k: 5, kh: 3, kw: 3, strideH: 2, strideW: 2 },
  // Stride-2 backward data by the phases of dx (dy of 16 x 16 and more).
  { n: 1, c: 3, h: 33, w: 35, k: 5, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 },
  { n: 1, c: 2, h: 30, w: 30, k: 3, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 4, padW: 4 },
  { n: 1, c: 2, h: 34, w: 20, k: 3, kh: 4, kw: 3, strideH: 2, padW: 2 },
  // Winograd F(4x4, 3x3) (3x3 stride 1, >= 32 channels in and out): outputs
  // not a multiple of the 4 x 4 tile, channels past whole vectors, padding
  // 0 and 2 (backward data then pads by 2 and 0), tiny images.
  { n: 2, c: 33, h: 9, w: 11, k: 40, kh: 3, kw: 3, padH: 1, padW: 1 },
  { n: 1, c: 32, h: 6, w: 5, k: 35, kh: 3, kw: 3, padH: 2 },
  { n: 3, c: 48, h: 3, w: 4, k: 32, kh: 3, kw: 3, padW: 2 },
];

function randomShape(rand: () => number): Conv2dShape {
  const groups = [1, 1, 1, 2, 3][randInt(rand, 0, 4)]!;
  const kh = randInt(rand, 1, 4), kw = randInt(rand, 1, 4);
  const dilationH = randInt(rand, 1, 2), dilationW = randInt(rand, 1, 2);
  const padH = randInt(rand, 0, 2), padW = randInt(rand, 0, 2);
  return {
    n: randInt(rand, 1, 3), c: groups * randInt(rand, 1, 5), k: groups * randInt(rand, 1, 5),
    h: randInt(rand, dilationH * (kh - 1) + 1, 13), w: randInt(rand, dilationW * (kw - 1) + 1, 13),
    kh, kw, strideH: randInt(rand, 1, 3), strideW: randInt(rand, 1, 3), padH, padW, dilationH, dilationW, groups,
  };
}

describe('conv2d native vs TS', () => {
  it('matches on edge-case shapes on every ISA path', () => {
    let n = 0;
    forEachIsa((isa) => edgeCases.forEach((s, i) => { check(full(s), i, isa); n++; }));
    expect(n).toBe(edgeCases.length * ISAS.length);
  });

  it('matches on 25 random shapes on every ISA path', () => {
    let n = 0;
    forEachIsa((isa) => {
      const rand = rng(2024);
      for (let i = 0; i < 25; i++) { check(full(randomShape(rand)), 100 + i, isa); n++; }
    });
    expect(n).toBe(25 * ISAS.length);
  });

  it('accepts a null bias', () => {
    const s = full({ n: 1, c: 2, h: 5, w: 5, k: 3, kh: 3, kw: 3 });
    const rand = rng(3);
    const x = randomArray(rand, 50), w = randomArray(rand, 54);
    const y = new Float32Array(27), yRef = new Float32Array(27), scale = new Float32Array(27);
    native.conv2dForward(s, x, w, null, y);
    js.conv2dForward(s, x, w, null, yRef);
    js.conv2dForward(s, abs(x), abs(w), null, scale);
    expectCloseScaled(y, yRef, scale, 18, 'null bias');
  });
});
