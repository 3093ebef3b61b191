// Saving and loading a whole model: the weights in safetensors, and in its
// metadata the architecture (the module spec) and what predict needs (input
// shape, normalisation, class names). `.json` beside it repeats the
// architecture for people and tools.
import { Module, type LayerSpec } from '../nn/module';
import { moduleFromSpec, specElements } from '../nn/registry';
import '../models/registered'; // the composite layers, for moduleFromSpec
import { Tensor } from '../tensor/tensor';
import { checkOptionKeys } from '../util/options';
import { writeFileAtomic } from './atomic';
import { inFile } from './file-errors';
import { convnodeMetadata, encodeSafetensors, readSafetensorsFile, type NamedTensor } from './safetensors';

export interface ModelInfo {
  inputShape: [number, number, number];
  /** The normalisation of pixels in [0, 1]: one number, or one per channel. */
  mean: number | number[];
  std: number | number[];
  classNames?: string[];
}

export interface ModelFile {
  format: 'convnode-model';
  version: 1;
  spec: LayerSpec;
  info: ModelInfo;
}

/** A model's parameters and buffers as file tensors under `prefix`; counters (num_batches_tracked) as I64, as PyTorch writes them. */
export function stateTensors(model: Module, prefix = ''): Record<string, NamedTensor> {
  const counters = model.counterBuffers();
  return Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) =>
    [prefix + k, { shape: t.shape, data: t.data, ...(counters.has(k) ? { dtype: 'I64' } : {}) }]));
}

export function saveModel(model: Module, file: string, info: ModelInfo): void {
  const tensors = stateTensors(model);
  const description: ModelFile = { format: 'convnode-model', version: 1, spec: model.spec(), info };
  writeFileAtomic(file, encodeSafetensors(tensors, { convnode: JSON.stringify(description) }));
  writeFileAtomic(file.replace(/\.safetensors$/, '') + '.json', JSON.stringify(description, null, 2) + '\n');
}

export function loadModel(file: string): { model: Module; info: ModelInfo } {
  const { tensors, metadata } = readSafetensorsFile(file);
  const description = convnodeMetadata<ModelFile>(file, metadata, 'convnode-model',
    'no convnode architecture in the metadata: load its weights into a model you build with loadWeights()');
  const info = description.info as Partial<ModelInfo> | undefined;
  const shape = info?.inputShape;
  const perChannel = (v: unknown, ok: (x: number) => boolean) =>
    (typeof v === 'number' && ok(v)) || (Array.isArray(v) && v.length === shape?.[0] && v.every((x) => typeof x === 'number' && ok(x)));
  if (typeof info !== 'object' || info === null || !Array.isArray(shape) || shape.length !== 3 ||
      !shape.every((d) => Number.isInteger(d) && d >= 1) || !perChannel(info.mean, Number.isFinite) || !perChannel(info.std, (x) => x > 0))
    throw new TypeError(`${file}: the model file's info must give inputShape [c, h, w] (whole numbers >= 1), and mean and std > 0 (one number or one per channel), got ${JSON.stringify(info)}`);
  return inFile(file, () => {
    // The architecture against the weights, before a byte of the model is allocated.
    const need = specElements(description.spec);
    const have = Object.values(tensors).reduce((n, t) => n + t.data.length, 0);
    if (need !== null && need > have)
      throw new RangeError(`its architecture holds ${need} values but the file has ${have}: the architecture and the weights do not match`);
    const model = moduleFromSpec(description.spec);
    model.loadStateDict(Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, new Tensor(t.data, t.shape)])));
    model.eval();
    return { model, info: description.info as ModelInfo };
  });
}

/** Loads safetensors weights (from convnode or PyTorch) into an existing model. */
export function loadWeights(model: Module, file: string, options: { strict?: boolean } = {}) {
  checkOptionKeys('loadWeights', options, ['strict']);
  const { tensors } = readSafetensorsFile(file);
  return inFile(file, () => model.loadStateDict(Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, new Tensor(t.data, t.shape)])), options));
}

/** Writes only the weights (for PyTorch's safetensors.torch.load_file). */
export function saveWeights(model: Module, file: string): void {
  writeFileAtomic(file, encodeSafetensors(stateTensors(model)));
}
