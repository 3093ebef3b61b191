// conv2d in TypeScript, the same decomposition as native/kernels/conv:
// im2col per image and group, then GEMM; col2im for the data gradient.
// im2col's zero columns multiply padding: with Inf or NaN in the filters
// (forward) or in dy (weight gradient) 0 * Inf would put NaN where the
// definition puts nothing, so those cases run the definition's loops, as
// native/cpu/conv_dispatch.cc does.
import type { ResolvedConv2d } from '../geometry';
import { gemmInto, operand } from './gemm';
import { biasGrad } from './eltwise';

let colScratch = new Float32Array(0);

function colBuffer(size: number): Float32Array {
  if (colScratch.length < size) colScratch = new Float32Array(size);
  return colScratch;
}

/** Rows (ci, ki, kj) x columns (oh, ow) of the group starting at channel c0. */
function im2col(s: ResolvedConv2d, cg: number, x: Float32Array, xOff: number, col: Float32Array): void {
  const cols = s.ho * s.wo;
  let r = 0;
  for (let ci = 0; ci < cg; ci++) {
    const plane = xOff + ci * s.h * s.w;
    for (let ki = 0; ki < s.kh; ki++) {
      for (let kj = 0; kj < s.kw; kj++, r++) {
        const rowOff = r * cols;
        for (let oh = 0; oh < s.ho; oh++) {
          const ih = oh * s.strideH - s.padH + ki * s.dilationH;
          for (let ow = 0; ow < s.wo; ow++) {
            const iw = ow * s.strideW - s.padW + kj * s.dilationW;
            col[rowOff + oh * s.wo + ow] = ih >= 0 && ih < s.h && iw >= 0 && iw < s.w ? x[plane + ih * s.w + iw]! : 0;
          }
        }
      }
    }
  }
}

/** dx[group] += col2im(col); the adjoint of im2col. */
function col2imAdd(s: ResolvedConv2d, cg: number, col: Float32Array, dx: Float32Array, dxOff: number): void {
  const cols = s.ho * s.wo;
  let r = 0;
  for (let ci = 0; ci < cg; ci++) {
    const plane = dxOff + ci * s.h * s.w;
    for (let ki = 0; ki < s.kh; ki++) {
      for (let kj = 0; kj < s.kw; kj++, r++) {
        const rowOff = r * cols;
        for (let oh = 0; oh < s.ho; oh++) {
          const ih = oh * s.strideH - s.padH + ki * s.dilationH;
          if (ih < 0 || ih >= s.h) continue;
          for (let ow = 0; ow < s.wo; ow++) {
            const iw = ow * s.strideW - s.padW + kj * s.dilationW;
            if (iw >= 0 && iw < s.w) dx[plane + ih * s.w + iw]! += col[rowOff + oh * s.wo + ow]!;
          }
        }
      }
    }
  }
}

function dims(s: ResolvedConv2d) {
  const cg = s.cg, kg = s.k / s.groups;
  return { cg, kg, rows: cg * s.kh * s.kw, cols: s.ho * s.wo };
}

/** Calls f(xIndex, wIndex, yIndex) for every tap of image i, output channel ko that falls inside the image. */
function forEachTap(s: ResolvedConv2d, i: number, ko: number, f: (xi: number, wi: number, yi: number) => void): void {
  const cg = s.cg, kg = s.k / s.groups, g = Math.floor(ko / kg);
  for (let oh = 0; oh < s.ho; oh++) {
    for (let ow = 0; ow < s.wo; ow++) {
      const yi = ((i * s.k + ko) * s.ho + oh) * s.wo + ow;
      for (let cc = 0; cc < cg; cc++) {
        for (let a = 0; a < s.kh; a++) {
          const ih = oh * s.strideH - s.padH + a * s.dilationH;
          if (ih < 0 || ih >= s.h) continue;
          for (let b = 0; b < s.kw; b++) {
            const iw = ow * s.strideW - s.padW + b * s.dilationW;
            if (iw >= 0 && iw < s.w) f(((i * s.c + g * cg + cc) * s.h + ih) * s.w + iw, ((ko * cg + cc) * s.kh + a) * s.kw + b, yi);
          }
        }
      }
    }
  }
}

const allFinite = (v: Float32Array) => v.every(Number.isFinite);

function forwardDefinition(s: ResolvedConv2d, x: Float32Array, w: Float32Array, b: Float32Array | null, y: Float32Array): void {
  for (let i = 0; i < s.n; i++) {
    for (let ko = 0; ko < s.k; ko++) {
      y.fill(b !== null ? b[ko]! : 0, (i * s.k + ko) * s.ho * s.wo, (i * s.k + ko + 1) * s.ho * s.wo);
      forEachTap(s, i, ko, (xi, wi, yi) => { y[yi] = Math.fround(y[yi]! + Math.fround(x[xi]! * w[wi]!)); });
    }
  }
}

function backwardWeightDefinition(s: ResolvedConv2d, x: Float32Array, dy: Float32Array, dw: Float32Array): void {
  dw.fill(0);
  for (let i = 0; i < s.n; i++) {
    for (let ko = 0; ko < s.k; ko++) forEachTap(s, i, ko, (xi, wi, yi) => { dw[wi] = Math.fround(dw[wi]! + Math.fround(dy[yi]! * x[xi]!)); });
  }
}

export function conv2dForward(s: ResolvedConv2d, x: Float32Array, w: Float32Array, b: Float32Array | null, y: Float32Array): void {
  if ((s.padH > 0 || s.padW > 0) && !allFinite(w)) {
    forwardDefinition(s, x, w, b, y);
    return;
  }
  const { cg, kg, rows, cols } = dims(s);
  const col = colBuffer(rows * cols);
  for (let i = 0; i < s.n; i++) {
    for (let g = 0; g < s.groups; g++) {
      im2col(s, cg, x, (i * s.c + g * cg) * s.h * s.w, col);
      gemmInto(kg, cols, rows, 1, operand(w, g * kg * rows, kg, rows, false), operand(col, 0, rows, cols, false),
        0, y, (i * s.k + g * kg) * cols, cols);
    }
    if (b !== null) {
      for (let ko = 0; ko < s.k; ko++) {
        const off = (i * s.k + ko) * cols;
        for (let j = 0; j < cols; j++) y[off + j]! += b[ko]!;
      }
    }
  }
}

export function conv2dBackwardData(s: ResolvedConv2d, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const { cg, kg, rows, cols } = dims(s);
  const col = colBuffer(rows * cols);
  dx.fill(0);
  for (let i = 0; i < s.n; i++) {
    for (let g = 0; g < s.groups; g++) {
      // dcol (rows x cols) = W[g]^T (rows x kg) * dy[g] (kg x cols)
      gemmInto(rows, cols, kg, 1, operand(w, g * kg * rows, rows, kg, true), operand(dy, (i * s.k + g * kg) * cols, kg, cols, false),
        0, col, 0, cols);
      col2imAdd(s, cg, col, dx, (i * s.c + g * cg) * s.h * s.w);
    }
  }
}

export function conv2dBackwardWeight(s: ResolvedConv2d, x: Float32Array, dy: Float32Array, dw: Float32Array): void {
  const { cg, kg, rows, cols } = dims(s);
  const col = colBuffer(rows * cols);
  for (let i = 0; i < s.n; i++) {
    for (let g = 0; g < s.groups; g++) {
      im2col(s, cg, x, (i * s.c + g * cg) * s.h * s.w, col);
      // dW[g] (kg x rows) (+)= dy[g] (kg x cols) * col^T (cols x rows)
      gemmInto(kg, rows, cols, 1, operand(dy, (i * s.k + g * kg) * cols, kg, cols, false), operand(col, 0, cols, rows, true),
        i === 0 ? 0 : 1, dw, g * kg * rows, rows);
    }
  }
  if (!allFinite(dw)) backwardWeightDefinition(s, x, dy, dw);
}

export function conv2dBackwardBias(s: ResolvedConv2d, dy: Float32Array, db: Float32Array): void {
  biasGrad({ n: s.n, c: s.k, hw: s.ho * s.wo }, dy, db);
}
