/**
 * The few-shot evaluation summary: mean accuracy over episodes with the half-width of its
 * 95% confidence interval, 1.96 * sample standard deviation / sqrt(episodes) (as the
 * ProtoNet / MAML papers report "mean +/- 95% CI over 600 episodes").
 */
import { ValueError } from '../errors.js';

export interface MeanWithCI {
  mean: number;
  ci95: number;
}

export function meanWithCI95(values: readonly number[]): MeanWithCI {
  const n = values.length;
  if (n === 0) throw new ValueError('meanWithCI95: no values (evaluate at least one episode)');
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n === 1) return { mean, ci95: 0 };
  const variance = values.reduce((s, v) => s + (v - mean) * (v - mean), 0) / (n - 1);
  return { mean, ci95: (1.96 * Math.sqrt(variance)) / Math.sqrt(n) };
}
