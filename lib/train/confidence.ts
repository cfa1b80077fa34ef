/**
 * The few-shot papers' evaluation statistic: mean and 95% confidence interval of the mean,
 * ci95 = 1.96 * std / sqrt(n), with the population standard deviation (numpy's default,
 * np.std, as in the MAML and Prototypical Networks reference code).
 */
import { ValueError } from '../errors.js';

export interface MeanWithCI {
  mean: number;
  /** Half-width of the 95% interval: report as mean +/- ci95. */
  ci95: number;
  std: number;
  n: number;
}

export function meanWithCI95(values: readonly number[]): MeanWithCI {
  const n = values.length;
  if (n === 0) throw new ValueError('meanWithCI95: no values (0 episodes)');
  for (const v of values) {
    if (!Number.isFinite(v)) throw new ValueError(`meanWithCI95: non-finite value ${v} among ${n} values`);
  }
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const variance = values.reduce((s, v) => s + (v - mean) * (v - mean), 0) / n;
  const std = Math.sqrt(variance);
  return { mean, ci95: (1.96 * std) / Math.sqrt(n), std, n };
}
