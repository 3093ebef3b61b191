// convnode: convolutional neural networks for Node.js.
export {
  backend, useBackend, nativeStatus, runtimeInfo, setIsa, setNumThreads, getNumThreads, nativeBackend, jsBackend,
} from './backend';
export type { RuntimeInfo } from './backend';
export * from './backend/types';
export { conv2dOutputSize, pool2dOutputSize } from './backend/geometry';

export { Tensor, type Shape, type GradFn } from './tensor/tensor';
export { Rng, globalRng, manualSeed } from './tensor/random';
export { BufferPool, withBufferPool, type BufferPoolOptions, type BufferPoolStats } from './tensor/buffer-pool';
export { noGrad, isGradEnabled } from './autograd/grad-mode';
export * as ops from './autograd/ops';

export { Module, type LayerSpec, type LoadResult } from './nn/module';
export * from './nn/layers';
export { Sequential } from './nn/sequential';
export { ResidualBlock } from './nn/residual';
export { registerLayer, moduleFromSpec } from './nn/registry';
export { INIT_SCHEMES, type InitScheme } from './nn/init';
export * as models from './models';

export { Optimizer, type OptimizerState, type ParamGroup } from './optim/optimizer';
export { SGD } from './optim/sgd';
export { Adam, AdamW } from './optim/adam';
export { RMSprop } from './optim/rmsprop';
export { LrScheduler, StepLR, CosineAnnealingLR } from './optim/schedulers';

export { Dataset, normalizeBytes, sharedArray, type DataSplits, type DatasetOptions, type Draw, type PixelNorm } from './data/dataset';
export { augmentImage, sampleRng, type Augment } from './data/transforms';
export { CifarFormatError, cifarVariant, loadCifarFolder, readCifar, type CifarOptions } from './data/cifar';
export { loadImageFolderSplits, readImageFolder, type ImageFolder, type ImageFolderOptions, type ImageFolderSplits } from './data/image-folder';
export { loadDataFolder, type DataFolder } from './data/data-folder';
export { readIdx, parseIdx, IdxFormatError } from './data/idx';
export { loadMnistFolder, defaultDataset, embeddedMnistDir, FASHION_MNIST_DIR } from './data/mnist';
export { decodeImage, imageToInput, ImageFormatError, DEFAULT_LIMIT_INPUT_PIXELS } from './data/image';

export { encodeSafetensors, decodeSafetensors, SafetensorsError } from './io/safetensors';
export { saveModel, loadModel, saveWeights, loadWeights, type ModelInfo } from './io/model-file';
export { writeFileAtomic } from './io/atomic';

export { fit, fitSync, fitInThread } from './train/fit';
export type { FitOptions } from './train/run';
export type { TrainSetup, LossName } from './train/setup';
export { evaluate, trainStep } from './train/step';
export { predict } from './inference/predict';
export { InferenceSession, predictAsync } from './inference/session';
export { EarlyStopping, type Callback, type EpochBeginLogs, type EpochLogs, type BatchLogs, type History } from './train/callbacks';
export { accuracy, classificationError, argmaxRows } from './train/metrics';
export { writeCheckpoint, readCheckpoint } from './train/checkpoint';
export { curvesSvg } from './viz/curves';
