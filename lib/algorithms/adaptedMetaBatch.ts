/**
 * Reptile's and iMAML's use of batched adaptation (adaptBatch.ts): a meta-batch of Tasks in,
 * means over tasks out. Tasks are grouped by shape (one recorded program per shape), so a usual
 * meta-batch is one adaptBatch call: on the native core, one call with the tasks in parallel
 * off the event loop; on the pure-TS core, the TypeScript twin.
 */
import { ShapeError } from '../errors.js';
import type { Backend, Handle } from '../backend/types.js';
import type { RecordedProgram } from '../core/record.js';
import { runAdaptBatch } from './adaptBatch.js';
import { scalarHandle, weightedSum } from '../engine/handleMath.js';
import { disposeHandles, disposeTemporaries } from '../core/ownership.js';
import { engineProgram, groupIndicesByShape, toParams } from './innerLoopLearner.js';
import { accuracyFromLogits, lossKindFor, toProgramData, type LossPrograms, type ProgramData } from './lossProgram.js';
import type { EngineChoice, LossKind } from './options.js';
import type { LabeledSet, Params, Task } from './types.js';

/** How each task adapts: steps of SGD (or Adam) with one scalar rate, optionally proximal (iMAML). */
export interface AdaptSettings {
  steps: number;
  innerLR: number;
  proximal?: number;
  adam?: { beta1: number; beta2: number; epsilon: number };
  implicitGradient?: { lambda: number; cgSteps: number; tolerance: number };
}

/** Where the learner's loss programs come from. */
export interface AdaptSource {
  programs: LossPrograms;
  label: string;
  /** The learner's fixed loss kind, if any. */
  loss: LossKind | undefined;
  engine: EngineChoice;
}

export interface AdaptedMetaBatch {
  backend: Backend;
  /** Program parameter names, sorted (the order of every handle list here). */
  names: readonly string[];
  /** Mean over tasks of the adapted parameters t_k (new handles; the caller disposes). */
  meanAdapted: Handle[];
  /** Mean over tasks of iMAML's implicit gradient (when asked; new handles). */
  implicitGrads?: Handle[];
  /** Mean over tasks of the query loss at t_k. */
  loss: number;
  /** Mean query accuracy (classification only). */
  accuracy?: number;
}

interface PreparedPair {
  kind: LossKind;
  support: ProgramData;
  query: ProgramData;
}

/** Adapts every task on its support set and scores it on its query set, in one call per task shape. */
export async function adaptMetaBatch(source: AdaptSource, params: Params, tasks: Task[], settings: AdaptSettings): Promise<AdaptedMetaBatch> {
  if (tasks.length === 0) throw new ShapeError(`${source.label}: metaGradient needs at least one task`);
  const prepared = tasks.map((task) => prepare(source, task));
  const groups = groupByShape(prepared);
  const outcomes = [];
  try {
    for (const group of groups) outcomes.push(await adaptGroup(source, params, group, settings));
  } finally {
    // Class ids as floats are this call's own; Tensor targets are the caller's.
    disposeTemporaries(prepared.flatMap((t) => [t.support.y, t.query.y]), tasks.flatMap((t) => [t.support.y, t.query.y]));
  }
  const backend = outcomes[0].backend;
  const weights = groups.map((g) => g.length / tasks.length);
  const classification = groups[0][0].query.labels !== undefined;
  const combined: AdaptedMetaBatch = {
    backend,
    names: outcomes[0].names,
    meanAdapted: weightedSum(backend, outcomes.map((o) => o.meanAdapted), weights),
    loss: outcomes.reduce((s, o) => s + o.lossSum, 0) / tasks.length,
    ...(classification ? { accuracy: outcomes.reduce((s, o) => s + o.accuracySum, 0) / tasks.length } : {}),
  };
  if (settings.implicitGradient) combined.implicitGrads = weightedSum(backend, outcomes.map((o) => o.implicitGrads as Handle[]), weights);
  return combined;
}

/** One task's adapted parameters (no query): the same engine with a meta-batch of one. */
export async function adaptOne(source: AdaptSource, params: Params, support: LabeledSet, settings: AdaptSettings): Promise<Params> {
  const kind = lossKindFor(support.y, source.loss);
  const data = toProgramData(source.label, support, kind);
  const program = source.programs.acquire(params, data, kind);
  const rates = scalarRates(program, params, settings.innerLR);
  const result = await runAdaptBatch(
    program.backend,
    { support: engineProgram(program), query: engineProgram(program) },
    { ...requestSettings(settings, false), numParams: rates.length, params: handlesOf(program, params), tasks: [{ support: program.dataHandles(data.x, data.y) }], innerLR: [rates] },
    source.engine,
  ).finally(() => {
    source.programs.release(program);
    disposeHandles(program.backend, rates);
    disposeTemporaries([data.y], [support.y]);
  });
  disposeHandles(program.backend, result.meanAdapted);
  return toParams(program.backend, program.paramNames, result.adapted[0]);
}

interface GroupOutcome {
  backend: Backend;
  names: readonly string[];
  meanAdapted: Handle[];
  implicitGrads?: Handle[];
  lossSum: number;
  accuracySum: number;
}

async function adaptGroup(source: AdaptSource, params: Params, group: PreparedPair[], settings: AdaptSettings): Promise<GroupOutcome> {
  const { kind } = group[0];
  const support = source.programs.acquire(params, group[0].support, kind);
  const query = source.programs.acquire(params, group[0].query, kind);
  const backend = support.backend;
  const rates = scalarRates(support, params, settings.innerLR);
  const result = await runAdaptBatch(
    backend,
    { support: engineProgram(support), query: engineProgram(query) },
    {
      ...requestSettings(settings, true),
      numParams: rates.length,
      params: handlesOf(support, params),
      tasks: group.map((t) => ({ support: support.dataHandles(t.support.x, t.support.y), query: query.dataHandles(t.query.x, t.query.y) })),
      innerLR: [rates],
    },
    source.engine,
  ).finally(() => {
    source.programs.release(support);
    source.programs.release(query);
    disposeHandles(backend, rates);
  });
  let accuracySum = 0;
  const outputs = result.queryOutputs ?? [];
  group.forEach((t, i) => {
    if (t.query.labels) accuracySum += accuracyFromLogits(backend.toArray(outputs[i][0]), backend.shapeOf(outputs[i][0]), t.query.labels);
  });
  disposeHandles(backend, [...result.adapted.flat(), ...outputs.flat()]);
  return {
    backend,
    names: support.paramNames,
    meanAdapted: result.meanAdapted,
    ...(result.implicitGrads ? { implicitGrads: result.implicitGrads } : {}),
    lossSum: (result.queryLosses ?? []).reduce((s, l) => s + l, 0),
    accuracySum,
  };
}

function requestSettings(settings: AdaptSettings, withImplicit: boolean) {
  return {
    steps: settings.steps,
    ...(settings.proximal ? { proximal: settings.proximal } : {}),
    ...(settings.adam ? { adam: settings.adam } : {}),
    ...(withImplicit && settings.implicitGradient ? { implicitGradient: settings.implicitGradient } : {}),
  };
}

function prepare(source: AdaptSource, task: Task): PreparedPair {
  const kind = lossKindFor(task.support.y, source.loss);
  return { kind, support: toProgramData(source.label, task.support, kind), query: toProgramData(source.label, task.query, kind) };
}

/** Tasks with equal kinds and shapes together, in order of first appearance (a usual meta-batch: one group). */
function groupByShape(tasks: PreparedPair[]): PreparedPair[][] {
  return groupIndicesByShape(tasks).map((indices) => indices.map((i) => tasks[i]));
}

/** The program's parameter handles in its (sorted) order. */
function handlesOf(program: RecordedProgram, params: Params): Handle[] {
  return program.paramNames.map((n) => params[n].handle);
}

/** One scalar rate per program parameter, in the parameter's dtype (new handles). */
function scalarRates(program: RecordedProgram, params: Params, value: number): Handle[] {
  return program.paramNames.map((n) => scalarHandle(program.backend, value, params[n].dtype));
}
