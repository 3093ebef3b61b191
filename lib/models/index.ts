// The standard models of DESIGN.md (28x28x1 input, 10 classes) and a small
// ResNet, each with the training recipe it is measured with.

/** The classes every standard model tells apart (its outputs). */
export const STANDARD_CLASSES = 10;
import { AvgPool2d, BatchNorm2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU } from '../nn/layers';
import { Sequential } from '../nn/sequential';
import { ResidualBlock } from '../nn/residual';

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

export type ModelName = 'lenet' | 'smallvgg' | 'resnet';

export interface Recipe {
  optimizer: 'sgd' | 'adam';
  lr: number;
  momentum?: number;
  batchSize: number;
}

export const MODELS: Record<ModelName, { build: () => Sequential; recipe: Recipe }> = {
  lenet: { build: lenet, recipe: { optimizer: 'sgd', lr: 0.05, momentum: 0.9, batchSize: 64 } },
  smallvgg: { build: smallVgg, recipe: { optimizer: 'adam', lr: 1e-3, batchSize: 64 } },
  resnet: { build: smallResNet, recipe: { optimizer: 'adam', lr: 1e-3, batchSize: 64 } },
};
