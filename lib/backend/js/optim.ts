// Fused SGD and Adam/AdamW updates in TypeScript, mirroring
// native/kernels/optim (PyTorch semantics).
import type { ResolvedAdam, ResolvedRmsprop, ResolvedSgd } from '../geometry';

type SgdConstants = ResolvedSgd;

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

export function sgdUpdate(g: ResolvedSgd, param: Float32Array, grad: Float32Array, momentumBuffer: Float32Array | null): void {
  sgdTensor(g, param, grad, momentumBuffer);
}

export function sgdUpdateMany(g: ResolvedSgd, params: Float32Array[], grads: Float32Array[], momentumBuffers: Float32Array[] | null): void {
  params.forEach((p, j) => sgdTensor(g, p, grads[j]!, momentumBuffers === null ? null : momentumBuffers[j]!));
}

interface AdamConstants { b1: number; b2: number; eps: number; stepSize: number; bc2Sqrt: number; decay: number; l2: number; amsgrad: boolean }

function adamConstants({ lr, beta1, beta2, eps, weightDecay, decoupled, step, amsgrad }: ResolvedAdam): AdamConstants {
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
    amsgrad,
  };
}

function adamTensor(c: AdamConstants, param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array, maxSq: Float32Array | null): void {
  const { b1, b2, eps, stepSize, bc2Sqrt, decay, l2, amsgrad } = c;
  for (let i = 0; i < param.length; i++) {
    const g = grad[i]! + l2 * param[i]!;
    expAvg[i] = b1 * expAvg[i]! + (1 - b1) * g;
    expAvgSq[i] = b2 * expAvgSq[i]! + (1 - b2) * g * g;
    // AMSGrad divides by the largest second moment seen so far.
    if (amsgrad) maxSq![i] = Math.max(maxSq![i]!, expAvgSq[i]!);
    const denom = Math.sqrt(amsgrad ? maxSq![i]! : expAvgSq[i]!) / bc2Sqrt + eps;
    param[i] = param[i]! * decay - (stepSize * expAvg[i]!) / denom;
  }
}

export function adamUpdate(g: ResolvedAdam, param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array, maxExpAvgSq: Float32Array | null = null): void {
  adamTensor(adamConstants(g), param, grad, expAvg, expAvgSq, maxExpAvgSq);
}

export function adamUpdateMany(
  g: ResolvedAdam, params: Float32Array[], grads: Float32Array[], expAvgs: Float32Array[], expAvgSqs: Float32Array[], maxExpAvgSqs: Float32Array[] | null = null,
): void {
  const c = adamConstants(g);
  params.forEach((p, j) => adamTensor(c, p, grads[j]!, expAvgs[j]!, expAvgSqs[j]!, maxExpAvgSqs === null ? null : maxExpAvgSqs[j]!));
}

/** torch.optim.RMSprop, one tensor; float32 constants as native/kernels/optim/rmsprop.cc. */
function rmspropTensor(o: ResolvedRmsprop, w: Float32Array, grad: Float32Array, sq: Float32Array, buf: Float32Array | null, gavg: Float32Array | null): void {
  const f = Math.fround;
  const lr = f(o.lr), alpha = f(o.alpha), eps = f(o.eps), wd = f(o.weightDecay), momentum = f(o.momentum);
  for (let i = 0; i < w.length; i++) {
    const g = wd !== 0 ? grad[i]! + wd * w[i]! : grad[i]!;
    sq[i] = alpha * sq[i]! + (1 - alpha) * g * g;
    let variance = sq[i]!;
    if (gavg !== null) {
      gavg[i] = alpha * gavg[i]! + (1 - alpha) * g;
      variance -= gavg[i]! * gavg[i]!;
    }
    const avg = Math.sqrt(variance) + eps;
    if (momentum > 0) {
      buf![i] = momentum * buf![i]! + g / avg;
      w[i] = w[i]! - lr * buf![i]!;
    } else {
      w[i] = w[i]! - (lr * g) / avg;
    }
  }
}

export function rmspropUpdateMany(
  o: ResolvedRmsprop, params: Float32Array[], grads: Float32Array[], squareAvgs: Float32Array[],
  momentumBuffers: Float32Array[] | null = null, gradAvgs: Float32Array[] | null = null,
): void {
  params.forEach((p, j) => rmspropTensor(o, p, grads[j]!, squareAvgs[j]!, o.momentum > 0 ? momentumBuffers![j]! : null, o.centered ? gradAvgs![j]! : null));
}
