/**
 * Batched adaptation (AdaptBatchRequest, lib/backend/types.ts: Reptile with SGD or Adam, iMAML's
 * proximal inner loop and implicit gradient) as a request to the one inner-loop engine
 * (lib/engine). Kept here, with their names, because learners and tests import them from this path.
 */
import type { AdaptBatchRequest, AdaptBatchResult, Backend } from '../backend/types.js';
import { innerLoopInTypeScript } from '../engine/innerLoop.js';
import { fromAdaptBatchRequest, toAdaptBatchResult } from '../engine/legacyRequests.js';
import type { EnginePrograms } from '../engine/programs.js';
import { runOnEngine, type EngineChoice } from '../engine/runInnerLoop.js';

/** Runs the request on the backend's own engine when it has one, else on the TypeScript one. */
export async function runAdaptBatch(
  backend: Backend,
  programs: EnginePrograms,
  request: AdaptBatchRequest,
  engine: EngineChoice = 'auto',
): Promise<AdaptBatchResult> {
  return runOnEngine(backend, programs, 'adaptBatch', request, fromAdaptBatchRequest(request), toAdaptBatchResult, engine);
}

/** Batched adaptation on the TypeScript engine ('none', or 'implicit' with iMAML's settings). */
export async function adaptBatchInTypeScript(backend: Backend, programs: EnginePrograms, request: AdaptBatchRequest): Promise<AdaptBatchResult> {
  return toAdaptBatchResult(await innerLoopInTypeScript(backend, programs, fromAdaptBatchRequest(request)));
}
