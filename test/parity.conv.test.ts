// Inf in a convolution's input, filters or output gradient: Inf and NaN land
// where the definition puts them (a sum over the taps inside the image;
// padding is never multiplied) and nowhere else, on every backend and ISA
// path. The values come from scripts/pytorch-parity.py: the definition in
// float64 loops, and PyTorch 1.13 beside it, which agrees except where its
// im2col path (batch 1) multiplies padding zeros by Inf. (The direct kernels
// once multiplied padding or spare zero columns by an Inf and turned
// unrelated cells and channels into NaN, while the TS backend did not.)
import { describe, expect, it } from 'vitest';
import type { Backend, Conv2dShape, IsaName } from '../lib/backend/types';
import { runtimeInfo, setIsa } from '../lib/backend';
import { BACKENDS } from './helpers';
import { f32, parity } from './parity.helpers';

interface Outputs { y: number[]; dx: number[]; dw: number[] }
interface Case extends Outputs { shape: Conv2dShape; inf: string; x: number[]; w: number[]; dy: number[]; torch: Outputs }
const ref = parity<{ cases: Case[] }>('conv-nonfinite');

/** The same value: NaN where NaN, the same infinity, and the exact sum elsewhere (whole numbers). */
const differing = (got: ArrayLike<number>, want: number[]) =>
  want.flatMap((w, i) => (Object.is(got[i], w) || got[i] === w ? [] : [`[${i}] ${got[i]} (definition ${w})`]));

function expectSame(got: Float32Array, want: number[], what: string): void {
  expect(got.length, what).toBe(want.length);
  expect(differing(got, want), `${what}: cells that differ from the definition`).toEqual([]);
}

function check(b: Backend, c: Case, tag: string): void {
  const what = `${tag} ${c.inf}, shape ${JSON.stringify(c.shape)}`;
  const y = new Float32Array(c.y.length), dx = new Float32Array(c.x.length), dw = new Float32Array(c.w.length);
  b.conv2dForward(c.shape, f32(c.x), f32(c.w), null, y);
  expectSame(y, c.y, `${what}: y`);
  b.conv2dBackwardData(c.shape, f32(c.dy), f32(c.w), dx);
  expectSame(dx, c.dx, `${what}: dx`);
  b.conv2dBackwardWeight(c.shape, f32(c.x), f32(c.dy), dw);
  expectSame(dw, c.dw, `${what}: dw`);
}

describe('convolution with an infinity, against PyTorch', () => {
  it('has cases that put Inf in x, w and dy, and PyTorch differs only where its im2col path multiplies padding', () => {
    expect(ref.cases.length).toBe(30);
    expect(ref.cases.some((c) => c.dx.some(Number.isNaN))).toBe(true); // -Inf meets +Inf somewhere
    const torchDiffers = ref.cases.filter((c) => (['y', 'dx', 'dw'] as const).some((o) => differing(c.torch[o], c[o]).length > 0));
    expect(torchDiffers.length).toBeGreaterThan(0);
    for (const c of torchDiffers) expect(c.shape.n === 1 && (c.shape.padH ?? 0) > 0, `${c.inf} ${JSON.stringify(c.shape)}`).toBe(true);
    // Batched, PyTorch (oneDNN) is the definition in every case.
    expect(ref.cases.filter((c) => c.shape.n > 1).every((c) => !torchDiffers.includes(c))).toBe(true);
  });

  // Every backend and ISA path this run has (under test/js-only.sh, the TS backend alone).
  const runs = BACKENDS.flatMap((b): Array<{ b: Backend; isa: IsaName | null }> =>
    (b.name === 'native' ? runtimeInfo().native!.availableIsas.map((isa) => ({ b, isa })) : [{ b, isa: null }]));
  it.each(runs.map((r) => ({ ...r, label: r.isa === null ? r.b.name : `${r.b.name} ${r.isa}` })))('the $label backend', ({ b, isa }) => {
    const best = runtimeInfo().native?.availableIsas[0];
    try {
      if (isa !== null) setIsa(isa);
      for (const c of ref.cases) check(b, c, `${b.name} ${isa ?? ''}`);
    } finally {
      if (isa !== null) setIsa(best!);
    }
  });
});
