// Shape objects read, checked and resolved once (output sizes, group
// divisibility): the rules and messages of native/napi/shapes.cc.
import { Call, MAX_DIM } from './validate';

/** floor((in + 2*pad - dilation*(kernel-1) - 1) / stride) + 1, or 0 when the kernel does not fit. */
export function conv2dOutputSize(input: number, kernel: number, stride: number, pad: number, dilation: number): number {
  const span = input + 2 * pad - dilation * (kernel - 1) - 1;
  return span < 0 ? 0 : Math.floor(span / stride) + 1;
}

/** Like conv (dilation 1), rounding up in ceil mode, where the last window must start inside the input or its left padding. */
export function pool2dOutputSize(input: number, kernel: number, stride: number, pad: number, ceilMode: boolean): number {
  const span = input + 2 * pad - kernel;
  if (span < 0) return 0;
  let out = (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  if (ceilMode && (out - 1) * stride >= input + pad) out -= 1;
  return out;
}

export interface ResolvedConv2d {
  n: number; c: number; h: number; w: number;
  k: number; kh: number; kw: number;
  strideH: number; strideW: number; padH: number; padW: number;
  dilationH: number; dilationW: number; groups: number;
  ho: number; wo: number;
}

export function readConv2dShape(call: Call, v: unknown): ResolvedConv2d {
  const o = call.object(v, 'shape');
  const int = (f: string, min: number, dflt?: number) => call.intField(o, 'shape', f, min, MAX_DIM, dflt);
  const n = int('n', 1), c = int('c', 1), h = int('h', 1), w = int('w', 1);
  const k = int('k', 1), kh = int('kh', 1), kw = int('kw', 1);
  const strideH = int('strideH', 1, 1), strideW = int('strideW', 1, 1);
  const padH = int('padH', 0, 0), padW = int('padW', 0, 0);
  const dilationH = int('dilationH', 1, 1), dilationW = int('dilationW', 1, 1);
  const groups = int('groups', 1, 1);
  if (c % groups !== 0) call.rangeError(`shape.c (${c}) must be divisible by shape.groups (${groups})`);
  if (k % groups !== 0) call.rangeError(`shape.k (${k}) must be divisible by shape.groups (${groups})`);
  const ho = conv2dOutputSize(h, kh, strideH, padH, dilationH);
  const wo = conv2dOutputSize(w, kw, strideW, padW, dilationW);
  if (ho < 1)
    call.rangeError(`the filter height (kh with dilation: ${dilationH * (kh - 1) + 1}) is larger than the padded input height (h + 2*padH: ${h + 2 * padH})`);
  if (wo < 1)
    call.rangeError(`the filter width (kw with dilation: ${dilationW * (kw - 1) + 1}) is larger than the padded input width (w + 2*padW: ${w + 2 * padW})`);
  return { n, c, h, w, k, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, groups, ho, wo };
}

export interface ResolvedPool2d {
  mode: 'max' | 'avg' | 'sum';
  n: number; c: number; h: number; w: number;
  kh: number; kw: number; strideH: number; strideW: number; padH: number; padW: number;
  ceilMode: boolean; countIncludePad: boolean;
  ho: number; wo: number;
}

export function readPool2dShape(call: Call, v: unknown): ResolvedPool2d {
  const o = call.object(v, 'shape');
  const mode = call.enumField(o, 'shape', 'mode', ['max', 'avg', 'sum'] as const);
  const int = (f: string, min: number, dflt?: number) => call.intField(o, 'shape', f, min, MAX_DIM, dflt);
  const n = int('n', 1), c = int('c', 1), h = int('h', 1), w = int('w', 1);
  const kh = int('kh', 1), kw = int('kw', 1);
  const strideH = int('strideH', 1, kh), strideW = int('strideW', 1, kw);
  const padH = int('padH', 0, 0), padW = int('padW', 0, 0);
  const ceilMode = call.boolField(o, 'shape', 'ceilMode', false);
  const countIncludePad = call.boolField(o, 'shape', 'countIncludePad', true);
  if (2 * padH > kh) call.rangeError(`shape.padH must be at most half of shape.kh (${kh}), got ${padH}`);
  if (2 * padW > kw) call.rangeError(`shape.padW must be at most half of shape.kw (${kw}), got ${padW}`);
  const ho = pool2dOutputSize(h, kh, strideH, padH, ceilMode);
  const wo = pool2dOutputSize(w, kw, strideW, padW, ceilMode);
  if (ho < 1)
    call.rangeError(`the window height shape.kh (${kh}) is larger than the padded input height (h + 2*padH: ${h + 2 * padH})`);
  if (wo < 1)
    call.rangeError(`the window width shape.kw (${kw}) is larger than the padded input width (w + 2*padW: ${w + 2 * padW})`);
  return { mode, n, c, h, w, kh, kw, strideH, strideW, padH, padW, ceilMode, countIncludePad, ho, wo };
}

export interface ResolvedChannels {
  n: number; c: number; hw: number;
}

export function readChannelShape(call: Call, v: unknown): ResolvedChannels {
  const o = call.object(v, 'shape');
  return {
    n: call.intField(o, 'shape', 'n', 1, MAX_DIM),
    c: call.intField(o, 'shape', 'c', 1, MAX_DIM),
    hw: call.intField(o, 'shape', 'hw', 1, MAX_DIM, 1),
  };
}

export function readRowsCols(call: Call, v: unknown): { rows: number; cols: number } {
  const o = call.object(v, 'shape');
  return {
    rows: call.intField(o, 'shape', 'rows', 1, MAX_DIM),
    cols: call.intField(o, 'shape', 'cols', 1, MAX_DIM),
  };
}
