// Max / average / sum pooling in TypeScript; the window rules of
// native/kernels/pool/pool2d.cc (clipped windows, first maximum wins, NaN
// counts as a maximum, avg divisor with or without padding), and max
// pooling that keeps each window's winner (max_pool_argmax.cc).
import type { ResolvedPool2d } from '../geometry';

interface Window {
  hs: number; ws: number;  // top-left corner, padding included
  h0: number; h1: number; w0: number; w1: number;
  divisor: number;
}

function window(s: ResolvedPool2d, oh: number, ow: number): Window {
  const hs = oh * s.strideH - s.padH, ws = ow * s.strideW - s.padW;
  const he = Math.min(hs + s.kh, s.h + s.padH), we = Math.min(ws + s.kw, s.w + s.padW);
  const h0 = Math.max(hs, 0), w0 = Math.max(ws, 0), h1 = Math.min(he, s.h), w1 = Math.min(we, s.w);
  const divisor = s.mode === 'sum' ? 1 : s.countIncludePad ? (he - hs) * (we - ws) : (h1 - h0) * (w1 - w0);
  return { hs, ws, h0, h1, w0, w1, divisor };
}

function argmax(x: Float32Array, plane: number, w: number, win: Window): number {
  let best = plane + win.h0 * w + win.w0;
  let bestVal = x[best]!;
  for (let ih = win.h0; ih < win.h1; ih++) {
    for (let iw = win.w0; iw < win.w1; iw++) {
      if (Number.isNaN(bestVal)) return best;
      const idx = plane + ih * w + iw;
      const v = x[idx]!;
      if (v > bestVal || Number.isNaN(v)) {
        bestVal = v;
        best = idx;
      }
    }
  }
  return best;
}

/** y from x; with winners (max pooling), also each window's winning cell. */
export function pool2dForward(s: ResolvedPool2d, x: Float32Array, y: Float32Array, winners?: Uint8Array | null): void {
  for (let p = 0; p < s.n * s.c; p++) {
    const plane = p * s.h * s.w, out = p * s.ho * s.wo;
    for (let oh = 0; oh < s.ho; oh++) {
      for (let ow = 0; ow < s.wo; ow++) {
        const win = window(s, oh, ow);
        if (s.mode === 'max') {
          const best = argmax(x, plane, s.w, win);
          y[out + oh * s.wo + ow] = x[best]!;
          if (winners != null) {
            const ih = Math.floor((best - plane) / s.w), iw = (best - plane) % s.w;
            winners[out + oh * s.wo + ow] = (ih - win.hs) * s.kw + (iw - win.ws);
          }
          continue;
        }
        let sum = 0;
        for (let ih = win.h0; ih < win.h1; ih++)
          for (let iw = win.w0; iw < win.w1; iw++) sum += x[plane + ih * s.w + iw]!;
        y[out + oh * s.wo + ow] = sum / win.divisor;
      }
    }
  }
}

/**
 * dx from the winners pool2dForward kept: each window's gradient added to
 * the cell it names, in row-major window order, as pool2dBackward does.
 */
export function pool2dBackwardFromArgmax(s: ResolvedPool2d, winners: Uint8Array, dy: Float32Array, dx: Float32Array): void {
  const cells = s.kh * s.kw;
  // Visits every window in row-major order with the index into dx of the
  // cell its entry names; returns false at the first entry that names none.
  const eachTarget = (visit: (input: number, i: number) => void): boolean => {
    for (let p = 0; p < s.n * s.c; p++) {
      const plane = p * s.h * s.w, out = p * s.ho * s.wo;
      for (let oh = 0; oh < s.ho; oh++) {
        for (let ow = 0; ow < s.wo; ow++) {
          const win = window(s, oh, ow), i = out + oh * s.wo + ow, cell = winners[i]!;
          const ih = win.hs + Math.floor(cell / s.kw), iw = win.ws + (cell % s.kw);
          if (!(cell < cells && ih >= win.h0 && ih < win.h1 && iw >= win.w0 && iw < win.w1)) return false;
          visit(plane + ih * s.w + iw, i);
        }
      }
    }
    return true;
  };
  // Every entry checked before dx is touched; then a second walk scatters
  // (the cells worked out twice instead of a buffer of targets per call).
  if (!eachTarget(() => {}))
    throw new RangeError('pool2dBackwardFromArgmax: argmax names a cell outside its window or in the padding (dx now holds no meaningful values)');
  dx.fill(0);
  eachTarget((input, i) => { dx[input]! += dy[i]!; });
}

export function pool2dBackward(s: ResolvedPool2d, x: Float32Array, dy: Float32Array, dx: Float32Array): void {
  dx.fill(0);
  for (let p = 0; p < s.n * s.c; p++) {
    const plane = p * s.h * s.w, out = p * s.ho * s.wo;
    for (let oh = 0; oh < s.ho; oh++) {
      for (let ow = 0; ow < s.wo; ow++) {
        const win = window(s, oh, ow);
        const g = dy[out + oh * s.wo + ow]!;
        if (s.mode === 'max') {
          dx[argmax(x, plane, s.w, win)]! += g;
          continue;
        }
        const share = g / win.divisor;
        for (let ih = win.h0; ih < win.h1; ih++)
          for (let iw = win.w0; iw < win.w1; iw++) dx[plane + ih * s.w + iw]! += share;
      }
    }
  }
}
