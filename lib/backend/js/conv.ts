// conv2d in TypeScript, the same decomposition as native/kernels/conv:
// im2col per image and group, then GEMM; col2im for the data gradient.
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

export function conv2dForward(s: ResolvedConv2d, x: Float32Array, w: Float32Array, b: Float32Array | null, y: Float32Array): void {
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
}

export function conv2dBackwardBias(s: ResolvedConv2d, dy: Float32Array, db: Float32Array): void {
  biasGrad({ n: s.n, c: s.k, hw: s.ho * s.wo }, dy, db);
}
