// convnode: convolutional neural networks for Node.js.
export {
  backend, useBackend, nativeStatus, runtimeInfo, setIsa, setNumThreads, getNumThreads, nativeBackend, jsBackend,
} from './backend';
export type { RuntimeInfo } from './backend';
export * from './backend/types';
export { conv2dOutputSize, pool2dOutputSize } from './backend/geometry';
