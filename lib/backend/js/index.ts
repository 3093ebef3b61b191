// The pure-TypeScript backend: every kernel of the native addon, the same
// contracts and the same argument errors, in readable code. It runs where
// the addon cannot load and is the oracle the native kernels are tested
// against.
import type { Backend } from '../types';
import { gemm } from './gemm';
import { conv2dBackwardBias, conv2dBackwardData, conv2dBackwardWeight, conv2dForward } from './conv';
import { pool2dBackward, pool2dBackwardFromArgmax, pool2dForward } from './pool';
import {
  activationBackward, activationForward, biasAdd, biasGrad, logSoftmaxBackward, logSoftmaxForward,
  preluBackward, preluForward, softmaxBackward, softmaxForward,
} from './eltwise';
import { mseBackward, mseForward, softmaxCrossEntropyBackward, softmaxCrossEntropyForward } from './loss';
import { adamUpdate, adamUpdateMany, sgdUpdate, sgdUpdateMany } from './optim';

export const jsBackend: Backend = Object.freeze({
  name: 'js' as const,
  gemm,
  conv2dForward,
  conv2dBackwardData,
  conv2dBackwardWeight,
  conv2dBackwardBias,
  pool2dForward,
  pool2dBackward,
  pool2dBackwardFromArgmax,
  activationForward,
  activationBackward,
  preluForward,
  preluBackward,
  biasAdd,
  biasGrad,
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
});
