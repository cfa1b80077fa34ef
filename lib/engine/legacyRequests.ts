/**
 * The two request shapes that came before InnerLoopRequest, kept because they are public API
 * (CompiledProgram.metaGradient / adaptBatch, runMetaGradient / runAdaptBatch): each is one
 * InnerLoopRequest, converted here and nowhere else.
 */
import type { AdaptBatchRequest, AdaptBatchResult, MetaGradientRequest, MetaGradientResult } from '../backend/types.js';
import type { InnerLoopRequest, InnerLoopResult } from './request.js';
import { ValueError } from '../errors.js';

/** MAML-family meta-gradient: order 2 is 'exact', order 1 'first-order' (any other a ValueError). */
export function fromMetaGradientRequest(r: MetaGradientRequest): InnerLoopRequest {
  if (r.order !== 1 && r.order !== 2) throw new ValueError(`metaGradient: order must be 1 or 2, got ${String(r.order)}`);
  return {
    label: 'metaGradient',
    numParams: r.numParams,
    params: r.params,
    tasks: r.tasks,
    steps: r.steps,
    update: { kind: 'sgd', rates: r.innerLR },
    outerGradient: r.order === 1 ? 'first-order' : 'exact',
    ...(r.stepWeights ? { stepWeights: r.stepWeights } : {}),
    ...(r.lrGrads ? { lrGrads: true } : {}),
    ...(r.stepData ? { stepData: r.stepData } : {}),
    ...(r.supportOutputs ? { supportOutputs: true } : {}),
  };
}

export function toMetaGradientResult(r: InnerLoopResult): MetaGradientResult {
  return {
    loss: r.loss,
    queryLosses: r.queryLosses ?? [],
    grads: r.grads ?? [],
    ...(r.lrGrads ? { lrGrads: r.lrGrads } : {}),
    queryOutputs: r.queryOutputs ?? [],
    ...(r.supportOutputs ? { supportOutputs: r.supportOutputs } : {}),
  };
}

/** Batched adaptation: 'none', or 'implicit' with iMAML's settings; t_k is always returned. */
export function fromAdaptBatchRequest(r: AdaptBatchRequest): InnerLoopRequest {
  const rates = r.innerLR;
  return {
    label: 'adaptBatch',
    numParams: r.numParams,
    params: r.params,
    tasks: r.tasks,
    steps: r.steps,
    update: r.adam ? { kind: 'adam', rates, ...r.adam } : { kind: 'sgd', rates },
    ...(r.proximal !== undefined ? { proximal: r.proximal } : {}),
    outerGradient: r.implicitGradient ? 'implicit' : 'none',
    ...(r.implicitGradient ? { implicit: r.implicitGradient } : {}),
    ...(r.stepData ? { stepData: r.stepData } : {}),
    returnAdapted: true,
  };
}

export function toAdaptBatchResult(r: InnerLoopResult): AdaptBatchResult {
  return {
    adapted: r.adapted ?? [],
    meanAdapted: r.meanAdapted ?? [],
    supportLosses: r.supportLosses,
    ...(r.queryLosses ? { queryLosses: r.queryLosses } : {}),
    ...(r.queryOutputs ? { queryOutputs: r.queryOutputs } : {}),
    ...(r.implicitGrads ? { implicitGrads: r.implicitGrads } : {}),
  };
}
