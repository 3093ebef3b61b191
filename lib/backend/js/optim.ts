// Fused SGD and Adam/AdamW updates in TypeScript, mirroring
// native/kernels/optim (PyTorch semantics).
import { Call, describe, MAX_ELEMENTS } from '../validate';
import type { AdamOptions, SgdOptions } from '../types';

interface SgdConstants { lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean; step: number }

function sgdOptions(call: Call, options: SgdOptions): SgdConstants {
  const o = call.object(options, 'options');
  const lr = call.numberField(o, 'options', 'lr');
  const momentum = call.numberField(o, 'options', 'momentum', 0);
  const dampening = call.numberField(o, 'options', 'dampening', 0);
  const weightDecay = call.numberField(o, 'options', 'weightDecay', 0);
  const nesterov = call.boolField(o, 'options', 'nesterov', false);
  const step = call.intField(o, 'options', 'step', 1, MAX_ELEMENTS, 1);
  call.require(lr >= 0, `options.lr must be >= 0, got ${String(o['lr'])}`);
  call.require(momentum >= 0, `options.momentum must be >= 0, got ${String(o['momentum'])}`);
  call.require(weightDecay >= 0, `options.weightDecay must be >= 0, got ${String(o['weightDecay'])}`);
  call.require(!nesterov || (momentum > 0 && dampening === 0), 'options.nesterov needs options.momentum > 0 and options.dampening = 0');
  return { lr, momentum, dampening, weightDecay, nesterov, step };
}

function sgdTensor(c: SgdConstants, param: Float32Array, grad: Float32Array, buf: Float32Array | null): void {
  const { lr, momentum, dampening, weightDecay, nesterov, step } = c;
  for (let i = 0; i < param.length; i++) {
    let d = weightDecay !== 0 ? grad[i]! + weightDecay * param[i]! : grad[i]!;
    if (buf !== null && momentum !== 0) {
      buf[i] = step <= 1 ? d : momentum * buf[i]! + (1 - dampening) * d;
      d = nesterov ? d + momentum * buf[i]! : buf[i]!;
    }
    param[i] = param[i]! - lr * d;
  }
}

export function sgdUpdate(options: SgdOptions, param: Float32Array, grad: Float32Array, momentumBuffer: Float32Array | null): void {
  const call = new Call('sgdUpdate');
  const c = sgdOptions(call, options);
  call.f32(param, 'param');
  const e = call.extent('grad', ['param.length'], [param.length]);
  call.f32(grad, 'grad', e);
  const buf = call.optionalF32(momentumBuffer, 'momentumBuffer', e);
  if (c.momentum !== 0 && buf === null)
    call.typeError(`momentumBuffer must be a Float32Array when options.momentum is not 0, got ${describe(momentumBuffer)}`);
  call.noOverlap(param, 'param', grad, 'grad');
  call.noOverlap(buf, 'momentumBuffer', param, 'param');
  call.noOverlap(buf, 'momentumBuffer', grad, 'grad');
  sgdTensor(c, param, grad, buf);
}

export function sgdUpdateMany(options: SgdOptions, params: Float32Array[], grads: Float32Array[], momentumBuffers: Float32Array[] | null): void {
  const call = new Call('sgdUpdateMany');
  const c = sgdOptions(call, options);
  const ps = call.f32List(params, 'params');
  const gs = call.f32ListLike(grads, 'grads', ps, 'params');
  const bs = momentumBuffers === null || momentumBuffers === undefined ? null : call.f32ListLike(momentumBuffers, 'momentumBuffers', ps, 'params');
  if (c.momentum !== 0 && bs === null)
    call.typeError(`momentumBuffers must be an Array of Float32Arrays when options.momentum is not 0, got ${describe(momentumBuffers)}`);
  call.noOverlapLists([[ps, 'params'], [gs, 'grads'], [bs ?? [], 'momentumBuffers']]);
  ps.forEach((p, j) => sgdTensor(c, p, gs[j]!, bs === null ? null : bs[j]!));
}

interface AdamConstants { b1: number; b2: number; eps: number; stepSize: number; bc2Sqrt: number; decay: number; l2: number }

function adamOptions(call: Call, options: AdamOptions): AdamConstants {
  const o = call.object(options, 'options');
  const lr = call.numberField(o, 'options', 'lr');
  const beta1 = call.numberField(o, 'options', 'beta1', 0.9);
  const beta2 = call.numberField(o, 'options', 'beta2', 0.999);
  const eps = call.numberField(o, 'options', 'eps', 1e-8);
  const weightDecay = call.numberField(o, 'options', 'weightDecay', 0);
  const decoupled = call.boolField(o, 'options', 'decoupled', false);
  const step = call.intField(o, 'options', 'step', 1, MAX_ELEMENTS);
  call.require(lr >= 0, `options.lr must be >= 0, got ${String(o['lr'])}`);
  call.require(beta1 >= 0 && beta1 < 1, `options.beta1 must be in [0, 1), got ${String(o['beta1'])}`);
  call.require(beta2 >= 0 && beta2 < 1, `options.beta2 must be in [0, 1), got ${String(o['beta2'])}`);
  call.require(eps > 0, `options.eps must be > 0, got ${String(o['eps'])}`);
  call.require(weightDecay >= 0, `options.weightDecay must be >= 0, got ${String(o['weightDecay'])}`);
  // Float32 constants, computed as native/kernels/optim/adam.cc does.
  const f = Math.fround;
  const b1 = f(beta1), b2 = f(beta2), lrF = f(lr), wd = f(weightDecay);
  const bc1 = f(1 - Math.pow(b1, step));
  return {
    b1, b2, eps,
    stepSize: f(lrF / bc1),
    bc2Sqrt: f(Math.sqrt(1 - Math.pow(b2, step))),
    decay: decoupled ? f(1 - f(lrF * wd)) : 1,
    l2: decoupled ? 0 : wd,
  };
}

function adamTensor(c: AdamConstants, param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array): void {
  const { b1, b2, eps, stepSize, bc2Sqrt, decay, l2 } = c;
  for (let i = 0; i < param.length; i++) {
    const g = grad[i]! + l2 * param[i]!;
    expAvg[i] = b1 * expAvg[i]! + (1 - b1) * g;
    expAvgSq[i] = b2 * expAvgSq[i]! + (1 - b2) * g * g;
    const denom = Math.sqrt(expAvgSq[i]!) / bc2Sqrt + eps;
    param[i] = param[i]! * decay - (stepSize * expAvg[i]!) / denom;
  }
}

export function adamUpdate(options: AdamOptions, param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array): void {
  const call = new Call('adamUpdate');
  const c = adamOptions(call, options);
  call.f32(param, 'param');
  const e = call.extent('grad', ['param.length'], [param.length]);
  call.f32(grad, 'grad', e);
  call.f32(expAvg, 'expAvg', e);
  call.f32(expAvgSq, 'expAvgSq', e);
  const all = [[param, 'param'], [grad, 'grad'], [expAvg, 'expAvg'], [expAvgSq, 'expAvgSq']] as const;
  for (let i = 0; i < all.length; i++)
    for (let j = i + 1; j < all.length; j++) call.noOverlap(all[j]![0], all[j]![1], all[i]![0], all[i]![1]);
  adamTensor(c, param, grad, expAvg, expAvgSq);
}

export function adamUpdateMany(options: AdamOptions, params: Float32Array[], grads: Float32Array[], expAvgs: Float32Array[], expAvgSqs: Float32Array[]): void {
  const call = new Call('adamUpdateMany');
  const c = adamOptions(call, options);
  const ps = call.f32List(params, 'params');
  const gs = call.f32ListLike(grads, 'grads', ps, 'params');
  const ms = call.f32ListLike(expAvgs, 'expAvgs', ps, 'params');
  const vs = call.f32ListLike(expAvgSqs, 'expAvgSqs', ps, 'params');
  call.noOverlapLists([[ps, 'params'], [gs, 'grads'], [ms, 'expAvgs'], [vs, 'expAvgSqs']]);
  ps.forEach((p, j) => adamTensor(c, p, gs[j]!, ms[j]!, vs[j]!));
}
