// GEMM in TypeScript: row-by-row with a float64 accumulator row, reading
// op(A) and op(B) through strides so both transpose flags share one loop.
import { Call, MAX_DIM } from '../validate';
import type { GemmOptions } from '../types';

/** A matrix operand: element (r, col) of op(X) is x[offset + r * rs + col * cs]. */
export interface Operand {
  x: Float32Array;
  offset: number;
  rs: number;
  cs: number;
}

/** A dense row-major m x cols operand (transposed: stored cols x m). */
export function operand(x: Float32Array, offset: number, rows: number, cols: number, transposed: boolean): Operand {
  return transposed ? { x, offset, rs: 1, cs: rows } : { x, offset, rs: cols, cs: 1 };
}

let accRow = new Float64Array(0);
let aRow = new Float64Array(0);

/**
 * c[cOffset + i * ldc + j] = alpha * sum_p op(A)(i, p) * op(B)(p, j) + beta * c[...].
 * When beta is 0, c is not read (NaNs in c do not propagate).
 */
export function gemmInto(
  m: number, n: number, k: number, alpha: number, A: Operand, B: Operand,
  beta: number, c: Float32Array, cOffset: number, ldc: number,
): void {
  if (accRow.length < n) accRow = new Float64Array(n);
  if (aRow.length < k) aRow = new Float64Array(k);
  const acc = accRow;
  const arow = aRow;
  const { x: a, rs: ars, cs: acs } = A;
  const { x: b, rs: brs, cs: bcs } = B;
  for (let i = 0; i < m; i++) {
    const aBase = A.offset + i * ars;
    for (let p = 0; p < k; p++) arow[p] = a[aBase + p * acs]!;
    if (bcs === 1) {
      // B rows are contiguous: axpy each row of B into the accumulator.
      acc.fill(0, 0, n);
      for (let p = 0; p < k; p++) {
        const av = arow[p]!;
        const bBase = B.offset + p * brs;
        for (let j = 0; j < n; j++) acc[j]! += av * b[bBase + j]!;
      }
    } else {
      // B columns are contiguous (B transposed): one dot product per element.
      for (let j = 0; j < n; j++) {
        const bBase = B.offset + j * bcs;
        let s = 0;
        for (let p = 0; p < k; p++) s += arow[p]! * b[bBase + p * brs]!;
        acc[j] = s;
      }
    }
    const cBase = cOffset + i * ldc;
    if (beta === 0) {
      for (let j = 0; j < n; j++) c[cBase + j] = alpha * acc[j]!;
    } else {
      for (let j = 0; j < n; j++) c[cBase + j] = alpha * acc[j]! + beta * c[cBase + j]!;
    }
  }
}

export function gemm(options: GemmOptions, a: Float32Array, b: Float32Array, c: Float32Array): void {
  const call = new Call('gemm');
  const o = call.object(options, 'options');
  const m = call.intField(o, 'options', 'm', 1, MAX_DIM);
  const n = call.intField(o, 'options', 'n', 1, MAX_DIM);
  const k = call.intField(o, 'options', 'k', 1, MAX_DIM);
  const ta = call.boolField(o, 'options', 'transA', false);
  const tb = call.boolField(o, 'options', 'transB', false);
  const alpha = call.numberField(o, 'options', 'alpha', 1);
  const beta = call.numberField(o, 'options', 'beta', 0);
  call.f32(a, 'a', ta ? call.extent('a', ['k', 'm'], [k, m]) : call.extent('a', ['m', 'k'], [m, k]));
  call.f32(b, 'b', tb ? call.extent('b', ['n', 'k'], [n, k]) : call.extent('b', ['k', 'n'], [k, n]));
  call.f32(c, 'c', call.extent('c', ['m', 'n'], [m, n]));
  call.noOverlap(c, 'c', a, 'a');
  call.noOverlap(c, 'c', b, 'b');
  gemmInto(m, n, k, Math.fround(alpha), operand(a, 0, m, k, ta), operand(b, 0, k, n, tb), Math.fround(beta), c, 0, n);
}
