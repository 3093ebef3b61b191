// conv2d in TypeScript, the same decomposition as native/kernels/conv:
// im2col per image and group, then GEMM; col2im for the data gradient.
import { Call } from '../validate';
import { readConv2dShape, type ResolvedConv2d } from '../geometry';
import type { Conv2dShape } from '../types';
import { gemmInto, operand } from './gemm';
import { biasGradInto } from './eltwise';

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
  const cg = s.c / s.groups, kg = s.k / s.groups;
  return { cg, kg, rows: cg * s.kh * s.kw, cols: s.ho * s.wo };
}

function extents(call: Call, s: ResolvedConv2d) {
  return {
    x: (name: string) => call.extent(name, ['n', 'c', 'h', 'w'], [s.n, s.c, s.h, s.w]),
    y: (name: string) => call.extent(name, ['n', 'k', 'ho', 'wo'], [s.n, s.k, s.ho, s.wo]),
    w: (name: string) => call.extent(name, ['k', 'c/groups', 'kh', 'kw'], [s.k, s.c / s.groups, s.kh, s.kw]),
  };
}

export function conv2dForward(shape: Conv2dShape, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  const call = new Call('conv2dForward');
  const s = readConv2dShape(call, shape);
  const e = extents(call, s);
  call.f32(x, 'x', e.x('x'));
  call.f32(w, 'w', e.w('w'));
  const b = call.optionalF32(bias, 'bias', call.extent('bias', ['k'], [s.k]));
  call.f32(y, 'y', e.y('y'));
  call.noOverlap(y, 'y', x, 'x');
  call.noOverlap(y, 'y', w, 'w');
  call.noOverlap(y, 'y', b, 'bias');

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

export function conv2dBackwardData(shape: Conv2dShape, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const call = new Call('conv2dBackwardData');
  const s = readConv2dShape(call, shape);
  const e = extents(call, s);
  call.f32(dy, 'dy', e.y('dy'));
  call.f32(w, 'w', e.w('w'));
  call.f32(dx, 'dx', e.x('dx'));
  call.noOverlap(dx, 'dx', dy, 'dy');
  call.noOverlap(dx, 'dx', w, 'w');

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

export function conv2dBackwardWeight(shape: Conv2dShape, x: Float32Array, dy: Float32Array, dw: Float32Array): void {
  const call = new Call('conv2dBackwardWeight');
  const s = readConv2dShape(call, shape);
  const e = extents(call, s);
  call.f32(x, 'x', e.x('x'));
  call.f32(dy, 'dy', e.y('dy'));
  call.f32(dw, 'dw', e.w('dw'));
  call.noOverlap(dw, 'dw', x, 'x');
  call.noOverlap(dw, 'dw', dy, 'dy');

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

export function conv2dBackwardBias(shape: Conv2dShape, dy: Float32Array, db: Float32Array): void {
  const call = new Call('conv2dBackwardBias');
  const s = readConv2dShape(call, shape);
  call.f32(dy, 'dy', extents(call, s).y('dy'));
  call.f32(db, 'db', call.extent('db', ['k'], [s.k]));
  call.noOverlap(db, 'db', dy, 'dy');
  biasGradInto({ n: s.n, c: s.k, hw: s.ho * s.wo }, dy, db);
}
