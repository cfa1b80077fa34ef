/**
 * `metalearn train --resume`: the run's configuration comes from the checkpoint. A flag the user
 * gives that disagrees with it is a conflict; all conflicts are listed in one ValueError (flag,
 * checkpoint value, given value) unless --override is given. With --override, the given values
 * win for the settings that do not shape the checkpoint's weights or optimiser state
 * (OVERRIDABLE); the others still refuse, since the checkpoint cannot be loaded into a
 * different model.
 */
import { ValueError } from '../errors.js';
import { METRIC_OPTION_FLAGS } from './metricOptions.js';
import type { RunConfig } from './runConfig.js';

/** RunConfig key -> its flag. */
export const CONFIG_FLAGS: Record<string, string> = {
  algo: '--algo',
  dataset: '--dataset',
  ways: '--ways',
  shots: '--shots',
  queries: '--queries',
  metaBatch: '--meta-batch',
  innerLR: '--inner-lr',
  innerSteps: '--inner-steps',
  testInnerSteps: '--test-inner-steps',
  order: '--order',
  metaLR: '--meta-lr',
  optimizer: '--optimizer',
  momentum: '--momentum',
  clipNorm: '--clip-norm',
  iterations: '--iterations',
  seed: '--seed',
  dtype: '--dtype',
  imageSize: '--image-size',
  hidden: '--hidden',
  dataRoot: '--data-root',
  cacheDir: '--cache-dir',
  ...METRIC_OPTION_FLAGS,
  contextSize: '--context-size',
};

/**
 * Settings a resumed run may change with --override: the episode shape (shots, queries), the
 * inner and outer learning settings and the run length. Not: algo, dataset, ways, hidden,
 * image-size, dtype, the metric learners' architecture options, context-size (they shape the
 * weights), optimizer (its state is in the checkpoint), seed (the task streams continue from
 * the checkpoint's).
 */
export const OVERRIDABLE: readonly string[] = [
  'shots', 'queries', 'metaBatch', 'innerLR', 'innerSteps', 'testInnerSteps', 'order', 'metaLR', 'momentum', 'clipNorm', 'cosineScale', 'margin', 'fceSteps',
];
/** Always taken from the flags without being a conflict: how long to run, and where the data is now. */
const FREE: readonly string[] = ['iterations', 'dataRoot', 'cacheDir'];

export interface Conflict {
  key: string;
  flag: string;
  stored: unknown;
  given: unknown;
}

/** The given settings (keys of RunConfig, only those the user typed) that differ from the checkpoint's. */
export function resumeConflicts(stored: RunConfig, given: Partial<Record<string, unknown>>): Conflict[] {
  const conflicts: Conflict[] = [];
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined || FREE.includes(key)) continue;
    const storedValue = (stored as unknown as Record<string, unknown>)[key];
    if (storedValue !== value) conflicts.push({ key, flag: CONFIG_FLAGS[key] ?? key, stored: storedValue, given: value });
  }
  return conflicts;
}

/**
 * The configuration of a resumed run: the checkpoint's, with the free settings from the flags,
 * and with --override the overridable ones too. Throws a ValueError listing the conflicts it
 * does not accept.
 */
export function resumedConfig(stored: RunConfig, given: Partial<Record<string, unknown>>, override: boolean, source: string): RunConfig {
  const conflicts = resumeConflicts(stored, given);
  const refused = override ? conflicts.filter((c) => !OVERRIDABLE.includes(c.key)) : conflicts;
  if (refused.length > 0) {
    const lines = refused.map((c) => `  ${c.flag}: checkpoint ${show(c.stored)}, given ${show(c.given)}`).join('\n');
    const advice = override
      ? `these settings shape the checkpoint's weights or optimiser state and cannot be overridden; drop them, or start a new run without --resume`
      : `drop these flags to continue the checkpoint's run, or add --override to use the given values (allowed for ${OVERRIDABLE.map((k) => CONFIG_FLAGS[k]).join(', ')})`;
    throw new ValueError(`--resume ${source}: ${refused.length} flag${refused.length === 1 ? '' : 's'} conflict${refused.length === 1 ? 's' : ''} with the checkpoint:\n${lines}\n${advice}`);
  }
  const changes: Record<string, unknown> = {};
  for (const key of FREE) if (given[key] !== undefined) changes[key] = given[key];
  for (const c of conflicts) changes[c.key] = c.given;
  return { ...stored, ...changes } as RunConfig;
}

function show(value: unknown): string {
  return value === undefined ? '(not set)' : JSON.stringify(value);
}
