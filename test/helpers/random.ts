/** Seeded random test data. */
import { Random } from '../../lib/core/random.js';
import { sizeOf } from '../../lib/core/shape.js';

export type Distribution =
  | 'normal'        // N(0, 1)
  | 'positive'      // U[0.5, 2]
  | 'awayFromZero'  // |x| in [0.3, 1.5], random sign (no kinks of relu/abs)
  | 'distinct';     // a shuffled grid with gaps >= 0.1 (no max-pool ties)

export function randomValues(shape: readonly number[], seed: number, dist: Distribution = 'normal'): number[] {
  const rng = new Random(seed);
  const n = sizeOf(shape);
  switch (dist) {
    case 'normal':
      return Array.from({ length: n }, () => rng.normal());
    case 'positive':
      return Array.from({ length: n }, () => rng.uniform(0.5, 2));
    case 'awayFromZero':
      return Array.from({ length: n }, () => (rng.next() < 0.5 ? -1 : 1) * rng.uniform(0.3, 1.5));
    case 'distinct': {
      const values = Array.from({ length: n }, (_, i) => (i - n / 2) * 0.1);
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [values[i], values[j]] = [values[j], values[i]];
      }
      return values;
    }
  }
}
