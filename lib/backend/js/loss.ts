// Fused softmax cross-entropy and squared error in TypeScript, mirroring
// native/kernels/loss.
import { Call, describe, isDetached } from '../validate';
import { readRowsCols } from '../geometry';
import type { ClassTarget, RowsCols } from '../types';

function readTarget(call: Call, target: unknown, rows: number, cols: number): ClassTarget {
  if (target instanceof Int32Array) {
    if (isDetached(target.buffer))
      call.typeError('target is backed by a detached ArrayBuffer');
    call.require(target.length === rows, `target (class indices) must have ${rows} elements (rows = ${rows}), got ${target.length}`);
    for (let r = 0; r < rows; r++) {
      const label = target[r]!;
      if (label < 0 || label >= cols) call.rangeError(`target[${r}] must be a class index in [0, ${cols}), got ${label}`);
    }
    return target;
  }
  if (!(target instanceof Float32Array))
    call.typeError(`target must be an Int32Array of class indices or a Float32Array of distributions, got ${describe(target)}`);
  return call.f32(target, 'target', call.extent('target', ['rows', 'cols'], [rows, cols]));
}

export function softmaxCrossEntropyForward(shape: RowsCols, logits: Float32Array, target: ClassTarget, probs: Float32Array): number {
  const call = new Call('softmaxCrossEntropyForward');
  const { rows, cols } = readRowsCols(call, shape);
  const e = call.extent('logits', ['rows', 'cols'], [rows, cols]);
  call.f32(logits, 'logits', e);
  const t = readTarget(call, target, rows, cols);
  call.f32(probs, 'probs', e);
  call.noOverlap(probs, 'probs', logits, 'logits');
  call.noOverlap(probs, 'probs', t, 'target');
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const off = r * cols;
    let mx = logits[off]!;
    for (let j = 1; j < cols; j++) mx = Math.max(mx, logits[off + j]!);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(logits[off + j]! - mx);
    const lse = mx + Math.log(sum);
    for (let j = 0; j < cols; j++) probs[off + j] = Math.exp(logits[off + j]! - lse);
    if (t instanceof Int32Array) {
      total += lse - logits[off + t[r]!]!;
    } else {
      for (let j = 0; j < cols; j++) if (t[off + j] !== 0) total += t[off + j]! * (lse - logits[off + j]!);
    }
  }
  return total / rows;
}

export function softmaxCrossEntropyBackward(shape: RowsCols, probs: Float32Array, target: ClassTarget, scale: number, dlogits: Float32Array): void {
  const call = new Call('softmaxCrossEntropyBackward');
  const { rows, cols } = readRowsCols(call, shape);
  const e = call.extent('probs', ['rows', 'cols'], [rows, cols]);
  call.f32(probs, 'probs', e);
  const t = readTarget(call, target, rows, cols);
  const k = Math.fround(call.number(scale, 'scale'));
  call.f32(dlogits, 'dlogits', e);
  call.sameOrDisjoint(dlogits, 'dlogits', probs, 'probs');
  call.noOverlap(dlogits, 'dlogits', t, 'target');
  for (let r = 0; r < rows; r++) {
    const off = r * cols;
    if (t instanceof Int32Array) {
      const label = t[r]!;
      const pl = probs[off + label]!;
      for (let j = 0; j < cols; j++) dlogits[off + j] = k * probs[off + j]!;
      dlogits[off + label] = k * (pl - 1);
    } else {
      for (let j = 0; j < cols; j++) dlogits[off + j] = k * (probs[off + j]! - t[off + j]!);
    }
  }
}

export function mseForward(pred: Float32Array, target: Float32Array): number {
  const call = new Call('mseForward');
  call.f32(pred, 'pred');
  call.f32(target, 'target', call.extent('target', ['pred.length'], [pred.length]));
  let sum = 0;
  for (let i = 0; i < pred.length; i++) {
    const d = pred[i]! - target[i]!;
    sum += d * d;
  }
  return sum;
}

export function mseBackward(pred: Float32Array, target: Float32Array, scale: number, dpred: Float32Array): void {
  const call = new Call('mseBackward');
  call.f32(pred, 'pred');
  const e = call.extent('target', ['pred.length'], [pred.length]);
  call.f32(target, 'target', e);
  const k = 2 * Math.fround(call.number(scale, 'scale'));
  call.f32(dpred, 'dpred', e);
  call.sameOrDisjoint(dpred, 'dpred', pred, 'pred');
  call.sameOrDisjoint(dpred, 'dpred', target, 'target');
  for (let i = 0; i < pred.length; i++) dpred[i] = k * (pred[i]! - target[i]!);
}
