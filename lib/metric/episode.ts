/**
 * The episode as metric learners see it, and its validation.
 * An episode is one N-way few-shot task: a labelled support set and a labelled query set,
 * labels remapped to 0..N-1 (lib/data EpisodeSampler episodes fit this type).
 */
import { Tensor } from '../core/tensor.js';
import { describeValue, expectRecord, expectTensor } from '../core/args.js';
import type { Task, Targets } from '../algorithms/types.js';
import { ShapeError, ValueError } from '../errors.js';

export interface MetricSet {
  /** Inputs [n, ...] (images NCHW, or feature vectors [n, d]). */
  x: Tensor;
  /** Class ids 0..ways-1, one per row of x. */
  y: Int32Array;
}

export interface Episode {
  support: MetricSet;
  query: MetricSet;
  /** The episode's original class ids (only their count matters here: the number of ways). */
  classes?: readonly number[];
}

/** Anything that hands out episodes (lib/data EpisodeSampler). */
export interface EpisodeSource {
  sample(): Episode | Task;
}

/** An episode that passed validate(): labels are Int32Array and `ways` is known. */
export interface CheckedEpisode extends Episode {
  ways: number;
  /** shotsPerClass[c]: how many support examples class c has (all >= 1). */
  shotsPerClass: number[];
}

/**
 * Checks an episode and returns it with its number of ways.
 * Errors (naming the algorithm): labels that are not Int32Array, label/row count mismatch,
 * support and query inputs of different shapes, an empty support or query set, a class of the episode
 * with no support example, a query label outside the episode's classes.
 */
export function checkEpisode(algorithm: string, episode: Episode | Task): CheckedEpisode {
  // Every field is read once, here, and the episode returned is built from what was read.
  const record = expectRecord(episode, `${algorithm}: episode`);
  const support = expectRecord(record.support, `${algorithm}: episode.support`);
  const query = expectRecord(record.query, `${algorithm}: episode.query`);
  const supportX = expectTensor(support.x, `${algorithm}: support x`);
  const queryX = expectTensor(query.x, `${algorithm}: query x`);
  const supportY = classIds(algorithm, 'support', support.y as Targets);
  const queryY = classIds(algorithm, 'query', query.y as Targets);
  const classes = 'classes' in record ? record.classes : undefined;
  if (classes !== undefined && !Array.isArray(classes)) {
    throw new ValueError(`${algorithm}: episode.classes must be an array of class ids, got ${describeValue(classes)}`);
  }
  checkRows(algorithm, 'support', supportX, supportY);
  checkRows(algorithm, 'query', queryX, queryY);
  checkSameItemShape(algorithm, supportX, queryX);
  if (supportY.length === 0) throw new ValueError(`${algorithm}: the support set is empty`);
  if (queryY.length === 0) throw new ValueError(`${algorithm}: the query set is empty`);

  const ways = countWays(algorithm, classes as readonly number[] | undefined, supportY);
  const shotsPerClass = new Array<number>(ways).fill(0);
  for (const label of supportY) shotsPerClass[label] += 1;
  const missing = shotsPerClass.findIndex((shots) => shots === 0);
  if (missing >= 0) {
    throw new ValueError(`${algorithm}: class ${missing} of this ${ways}-way episode has no support example`);
  }
  for (let i = 0; i < queryY.length; i++) {
    if (queryY[i] < 0 || queryY[i] >= ways) {
      throw new ValueError(
        `${algorithm}: query label ${queryY[i]} (row ${i}) is outside the episode's classes [0, ${ways})`,
      );
    }
  }
  return {
    support: { x: supportX, y: supportY },
    query: { x: queryX, y: queryY },
    classes: classes as readonly number[] | undefined,
    ways,
    shotsPerClass,
  };
}

function classIds(algorithm: string, set: string, y: Targets): Int32Array {
  if (!(y instanceof Int32Array)) {
    throw new ValueError(`${algorithm}: ${set} labels must be an Int32Array of class ids (got ${Tensor.isTensor(y) ? 'a Tensor' : describeValue(y)})`);
  }
  return y;
}

function checkRows(algorithm: string, set: string, x: Tensor, y: Int32Array): void {
  if (x.shape.length < 2 || x.shape[0] !== y.length) {
    throw new ShapeError(
      `${algorithm}: ${set} x has shape [${x.shape.join(', ')}] but ${y.length} labels (need [${y.length}, ...])`,
    );
  }
}

function checkSameItemShape(algorithm: string, support: Tensor, query: Tensor): void {
  const a = support.shape.slice(1);
  const b = query.shape.slice(1);
  if (a.length !== b.length || a.some((size, i) => size !== b[i])) {
    throw new ShapeError(
      `${algorithm}: support x [${support.shape.join(', ')}] and query x [${query.shape.join(', ')}] differ after the first axis`,
    );
  }
}

/** ways = episode.classes.length when given, else 1 + the largest support label. */
function countWays(algorithm: string, classes: readonly number[] | undefined, supportY: Int32Array): number {
  let largest = -1;
  for (let i = 0; i < supportY.length; i++) {
    if (supportY[i] < 0) throw new ValueError(`${algorithm}: support label ${supportY[i]} (row ${i}) is negative`);
    largest = Math.max(largest, supportY[i]);
  }
  if (classes === undefined) return largest + 1;
  if (largest >= classes.length) {
    throw new ValueError(
      `${algorithm}: support label ${largest} is outside the episode's ${classes.length} classes [0, ${classes.length})`,
    );
  }
  return classes.length;
}
