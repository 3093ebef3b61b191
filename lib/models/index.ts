// The standard models of DESIGN.md (28x28x1 input, 10 classes) and a small
// ResNet, each with the training recipe it is measured with.

/** The classes every standard model tells apart (its outputs). */
export const STANDARD_CLASSES = 10;
import { AvgPool2d, BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU } from '../nn/layers';
import { Sequential } from '../nn/sequential';
import { ResidualBlock } from '../nn/residual';
import type { Module } from '../nn/module';
import { resnet18, resnet20 } from './resnet';

export function lenet(): Sequential {
  return new Sequential(
    new Conv2d(1, 6, 5, { padding: 2 }), new ReLU(), new MaxPool2d(2),
    new Conv2d(6, 16, 5), new ReLU(), new MaxPool2d(2),
    new Flatten(),
    new Linear(400, 120), new ReLU(),
    new Linear(120, 100), new ReLU(),
    new Linear(100, STANDARD_CLASSES),
  );
}

export function smallVgg(): Sequential {
  return new Sequential(
    new Conv2d(1, 32, 3, { padding: 1 }), new ReLU(),
    new Conv2d(32, 32, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2),
    new Conv2d(32, 64, 3, { padding: 1 }), new ReLU(),
    new Conv2d(64, 64, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2),
    new Flatten(),
    new Linear(3136, 256), new ReLU(),
    new Linear(256, STANDARD_CLASSES),
  );
}

/** A ResNet for 28x28 inputs: a 16-channel stem, three stages (16, 32, 64 channels; 28, 14, 7 pixels), global average pooling. */
export function smallResNet(): Sequential {
  return new Sequential(
    new Conv2d(1, 16, 3, { padding: 1, bias: false }), new BatchNorm2d(16), new ReLU(),
    new ResidualBlock(16, 16), new ResidualBlock(16, 32, 2), new ResidualBlock(32, 64, 2),
    new AvgPool2d(7), new Flatten(), new Linear(64, STANDARD_CLASSES),
  );
}

export type ModelName = 'lenet' | 'smallvgg' | 'resnet' | 'resnet20' | 'resnet18';

export interface Recipe {
  optimizer: 'sgd' | 'adam';
  lr: number;
  momentum?: number;
  weightDecay?: number;
  /** The learning rate over the run: constant, or cosine annealing to 0 over the epochs. */
  schedule?: 'none' | 'cosine';
  batchSize: number;
}

/** What a model is built for: the data's image channels and classes. */
export interface ModelInput {
  channels: number;
  classes: number;
}

export interface ZooEntry {
  build: (input: ModelInput) => Module;
  recipe: Recipe;
  /** The one input shape [c, h, w] the model takes, or null when it adapts (any channels, classes and size). */
  fixedInput: [number, number, number] | null;
}

const MNIST_SHAPE: [number, number, number] = [1, 28, 28];
/** The input of the standard models: one channel, ten classes. */
export const MNIST_INPUT: ModelInput = { channels: 1, classes: STANDARD_CLASSES };

/** The usual CIFAR recipe (He et al.): SGD 0.1, momentum 0.9, weight decay 5e-4, the rate annealed over the run. */
const RESNET_RECIPE: Recipe = { optimizer: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 5e-4, schedule: 'cosine', batchSize: 128 };

export const MODELS: Record<ModelName, ZooEntry> = {
  lenet: { build: lenet, recipe: { optimizer: 'sgd', lr: 0.05, momentum: 0.9, batchSize: 64 }, fixedInput: MNIST_SHAPE },
  smallvgg: { build: smallVgg, recipe: { optimizer: 'adam', lr: 1e-3, batchSize: 64 }, fixedInput: MNIST_SHAPE },
  resnet: { build: smallResNet, recipe: { optimizer: 'adam', lr: 1e-3, batchSize: 64 }, fixedInput: MNIST_SHAPE },
  resnet20: {
    build: ({ channels, classes }) => resnet20({ inChannels: channels, numClasses: classes }),
    recipe: RESNET_RECIPE, fixedInput: null,
  },
  resnet18: {
    build: ({ channels, classes }) => resnet18({ inChannels: channels, numClasses: classes }),
    recipe: RESNET_RECIPE, fixedInput: null,
  },
};

export { BasicBlock, ResNet, resnet18, resnet20, type ResNetConfig, type ResNetOptions } from './resnet';
