// The pure-TypeScript backend: every kernel of the native addon as plain
// arithmetic on checked, resolved arguments (check.ts checks every call
// against contracts.ts first). It runs where the addon cannot load and is
// the oracle the native kernels are tested against.
import { checkedBackend, type RawKernels } from '../check';
import { gemm } from './gemm';
import { conv2dBackwardBias, conv2dBackwardData, conv2dBackwardWeight, conv2dForward } from './conv';
import { pool2dBackward, pool2dBackwardFromArgmax, pool2dForward } from './pool';
import {
  activationBackward, activationForward, add, addRelu, biasAdd, biasGrad, logSoftmaxBackward, logSoftmaxForward,
  preluBackward, preluForward, softmaxBackward, softmaxForward,
} from './eltwise';
import { channelAffine, channelAffineRelu, channelCombine, channelGradSums, channelMoments } from './batchnorm';
import { mseBackward, mseForward, softmaxCrossEntropyBackward, softmaxCrossEntropyForward } from './loss';
import { adamUpdate, adamUpdateMany, rmspropUpdateMany, sgdUpdate, sgdUpdateMany } from './optim';

/** The raw kernels; jsBackend is what callers use. */
export const jsKernels: RawKernels = {
  gemm,
  conv2dForward,
  conv2dBackwardData,
  conv2dBackwardWeight,
  conv2dBackwardBias,
  pool2dForward,
  pool2dBackward,
  pool2dBackwardFromArgmax,
  add,
  addRelu,
  activationForward,
  activationBackward,
  preluForward,
  preluBackward,
  biasAdd,
  biasGrad,
  channelMoments,
  channelGradSums,
  channelAffine,
  channelAffineRelu,
  channelCombine,
  softmaxForward,
  logSoftmaxForward,
  softmaxBackward,
  logSoftmaxBackward,
  softmaxCrossEntropyForward,
  softmaxCrossEntropyBackward,
  mseForward,
  mseBackward,
  sgdUpdate,
  adamUpdate,
  sgdUpdateMany,
  adamUpdateMany,
  rmspropUpdateMany,
};

export const jsBackend = checkedBackend('js', jsKernels);
