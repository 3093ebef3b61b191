// Rebuilding a module from its JSON spec. Every built-in layer is
// registered; registerLayer() adds a custom one so that models using it can
// be saved, loaded and trained in a worker thread.
import * as L from './layers';
import { Sequential } from './sequential';
import { Module, type LayerSpec } from './module';

type Factory = (args: Record<string, unknown>, children: Module[]) => Module;

const factories = new Map<string, Factory>();

export function registerLayer(type: string, factory: Factory): void {
  factories.set(type, factory);
}

export function moduleFromSpec(spec: LayerSpec): Module {
  if (typeof spec !== 'object' || spec === null || typeof spec.type !== 'string') {
    throw new TypeError(`moduleFromSpec: expected an object with a string 'type', got ${JSON.stringify(spec)}`);
  }
  const factory = factories.get(spec.type);
  if (factory === undefined) {
    throw new RangeError(`moduleFromSpec: unknown layer type '${spec.type}' (known: ${[...factories.keys()].sort().join(', ')}; add others with registerLayer)`);
  }
  return factory(spec.args ?? {}, (spec.children ?? []).map(moduleFromSpec));
}

type A = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
registerLayer('Conv2d', ({ inChannels, outChannels, kernelSize, ...config }: A) => new L.Conv2d(inChannels, outChannels, kernelSize, config));
registerLayer('Linear', ({ inFeatures, outFeatures, ...config }: A) => new L.Linear(inFeatures, outFeatures, config));
registerLayer('MaxPool2d', ({ kernelSize, ...config }: A) => new L.MaxPool2d(kernelSize, config));
registerLayer('AvgPool2d', ({ kernelSize, ...config }: A) => new L.AvgPool2d(kernelSize, config));
registerLayer('Flatten', () => new L.Flatten());
registerLayer('ReLU', () => new L.ReLU());
registerLayer('LeakyReLU', (a: A) => new L.LeakyReLU(a.negativeSlope));
registerLayer('PReLU', (a: A) => new L.PReLU(a.numParameters, a.init));
registerLayer('Tanh', () => new L.Tanh());
registerLayer('Sigmoid', () => new L.Sigmoid());
registerLayer('HardTanh', (a: A) => new L.HardTanh(a.min, a.max));
registerLayer('Identity', () => new L.Identity());
registerLayer('Softmax', () => new L.Softmax());
registerLayer('LogSoftmax', () => new L.LogSoftmax());
registerLayer('Dropout', (a: A) => new L.Dropout(a.p));
registerLayer('BatchNorm2d', (a: A) => new L.BatchNorm2d(a.numFeatures, a.eps, a.momentum));
registerLayer('Sequential', (_a, children) => new Sequential(...children));
