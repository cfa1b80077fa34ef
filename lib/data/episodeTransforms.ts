/**
 * Per-episode transforms: composable options of every sampler (`transforms: [...]`), applied in
 * order, in place, after the episode's examples are drawn and before tensors are made. Each
 * draws its randomness from the sampler's generator, so seeded runs stay deterministic.
 * They need image episodes: x [count, C, H, W].
 */
import { ShapeError, ValueError } from '../errors.js';
import type { EpisodeArrays, EpisodeSetArrays } from './episode.js';
import type { Random } from './random.js';
import { rotateQuarterTurns } from './rotate.js';

export interface EpisodeTransform {
  readonly name: string;
  apply(episode: EpisodeArrays, rng: Random): void;
}

/** Which side(s) of the episode a per-image augmentation touches. */
export type EpisodeSide = 'support' | 'query' | 'both';

/**
 * Rotation by a multiple of 90 degrees as a new class, drawn per episode: each label gets one
 * random rotation from `quarterTurns`, applied to all its support and query images (the
 * "rotations as classes" augmentation done on the fly instead of by enlarging the class list).
 */
export function randomClassRotation(quarterTurns: readonly number[] = [0, 1, 2, 3]): EpisodeTransform {
  if (quarterTurns.length === 0 || quarterTurns.some((k) => ![0, 1, 2, 3].includes(k))) {
    throw new ValueError(`randomClassRotation: quarterTurns must be a non-empty list of 0..3, got [${quarterTurns.join(', ')}]`);
  }
  return {
    name: 'randomClassRotation',
    apply(episode, rng) {
      const turns = episode.classes.map(() => quarterTurns[rng.int(quarterTurns.length)]);
      for (const set of [episode.support, episode.query]) {
        const [, channels, height, width] = imageShapeOf(set, 'randomClassRotation');
        if (height !== width) throw new ShapeError(`randomClassRotation: needs square images, got ${height}x${width}`);
        const size = channels * height * width;
        const scratch = new Float32Array(size);
        for (let i = 0; i < set.y.length; i++) {
          const k = turns[set.y[i]];
          if (k === 0) continue;
          scratch.set(set.x.subarray(i * size, (i + 1) * size));
          rotateQuarterTurns(scratch, 0, set.x, i * size, channels, height, k);
        }
      }
    },
  };
}

/** Mirrors each image left-right with probability `probability`. */
export function randomHorizontalFlip(options: { probability?: number; on?: EpisodeSide } = {}): EpisodeTransform {
  const probability = options.probability ?? 0.5;
  if (!(probability >= 0 && probability <= 1)) throw new ValueError(`randomHorizontalFlip: probability must be in [0, 1], got ${probability}`);
  return {
    name: 'randomHorizontalFlip',
    apply(episode, rng) {
      for (const set of sides(episode, options.on ?? 'both')) {
        const [count, channels, height, width] = imageShapeOf(set, 'randomHorizontalFlip');
        for (let i = 0; i < count; i++) {
          if (rng.nextFloat() >= probability) continue;
          for (let row = 0; row < channels * height; row++) {
            const start = (i * channels * height + row) * width;
            set.x.subarray(start, start + width).reverse();
          }
        }
      }
    },
  };
}

/**
 * Random crop with zero padding: pads each image by `padding` pixels on every side, then cuts an
 * H x W window at a uniformly random offset (the CIFAR-FS / FC100 / mini-ImageNet augmentation).
 */
export function randomCrop(options: { padding: number; on?: EpisodeSide }): EpisodeTransform {
  const padding = options.padding;
  if (!Number.isInteger(padding) || padding < 0) throw new ValueError(`randomCrop: padding must be a non-negative integer, got ${padding}`);
  return {
    name: 'randomCrop',
    apply(episode, rng) {
      for (const set of sides(episode, options.on ?? 'both')) {
        const [count, channels, height, width] = imageShapeOf(set, 'randomCrop');
        const size = channels * height * width;
        const source = new Float32Array(size);
        for (let i = 0; i < count; i++) {
          // Window top-left in padded coordinates is (top, left); shift = offset - padding.
          const dy = rng.int(2 * padding + 1) - padding;
          const dx = rng.int(2 * padding + 1) - padding;
          if (dy === 0 && dx === 0) continue;
          const image = set.x.subarray(i * size, (i + 1) * size);
          source.set(image);
          shiftImage(source, image, channels, height, width, dy, dx);
        }
      }
    },
  };
}

/** dst[c, y, x] = src[c, y + dy, x + dx], zero outside. */
function shiftImage(src: Float32Array, dst: Float32Array, channels: number, height: number, width: number, dy: number, dx: number): void {
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < height; y++) {
      const sy = y + dy;
      for (let x = 0; x < width; x++) {
        const sx = x + dx;
        const inside = sy >= 0 && sy < height && sx >= 0 && sx < width;
        dst[(c * height + y) * width + x] = inside ? src[(c * height + sy) * width + sx] : 0;
      }
    }
  }
}

function sides(episode: EpisodeArrays, on: EpisodeSide): EpisodeSetArrays[] {
  if (on === 'support') return [episode.support];
  if (on === 'query') return [episode.query];
  return [episode.support, episode.query];
}

function imageShapeOf(set: EpisodeSetArrays, transform: string): [number, number, number, number] {
  if (set.shape.length !== 4) {
    throw new ShapeError(`${transform}: needs image episodes [count, C, H, W], got [${set.shape.join(', ')}]`);
  }
  return [set.shape[0], set.shape[1], set.shape[2], set.shape[3]];
}
