/** The output size (or map shape) of an embedding model, for learners that build layers on top of it. */
import { ValueError } from '../errors.js';
import type { EmbeddingModel } from './metricLearner.js';

/** model.features where the model states it (nn.conv4), else `fallback`; a ValueError when neither is known. */
export function embeddingSize(model: EmbeddingModel & { features?: number }, fallback?: number): number {
  const size = model.features ?? fallback;
  if (size === undefined || !Number.isInteger(size) || size < 1) {
    throw new ValueError(`embeddingSize: the model does not state its output size (features) and no fallback was given (got ${size})`);
  }
  return size;
}

/** model.outputShape where it is a map shape [C, S, S] (nn.conv4 with flatten: false); a ValueError otherwise. */
export function embeddingMapShape(model: EmbeddingModel & { outputShape?: readonly number[] }): readonly number[] {
  const shape = model.outputShape;
  if (!shape || shape.length !== 3) {
    throw new ValueError(
      `embeddingMapShape: the model does not output feature maps [C, S, S] (outputShape ${shape ? `[${shape.join(', ')}]` : 'not stated'}); use nn.conv4({ flatten: false })`,
    );
  }
  return shape;
}
