/**
 * Which engine runs a request: the backend's own (CompiledProgram.innerLoop: the native core,
 * a whole meta-batch in one call, tasks in parallel) when the support program has one — and the
 * query program too, when it is another program — else the TypeScript engine. Both give the
 * same numbers.
 */
import type { Backend, CompiledProgram } from '../backend/types.js';
import { innerLoopInTypeScript } from './innerLoop.js';
import type { EnginePrograms } from './programs.js';
import type { InnerLoopRequest, InnerLoopResult } from './request.js';
import { validateInnerLoopRequest } from './validateRequest.js';

/** 'auto': the backend's own engine where it has one; 'typescript': always lib/engine (differential tests). */
export type EngineChoice = 'auto' | 'typescript';

export async function runInnerLoop(
  backend: Backend,
  programs: EnginePrograms,
  request: InnerLoopRequest,
  engine: EngineChoice = 'auto',
): Promise<InnerLoopResult> {
  return runOnEngine(backend, programs, 'innerLoop', request, request, (result) => result, engine);
}

type EngineMethod = 'innerLoop' | 'metaGradient' | 'adaptBatch';
type MethodOf<K extends EngineMethod> = NonNullable<CompiledProgram[K]>;
type ResultOf<K extends EngineMethod> = Awaited<ReturnType<MethodOf<K>>>;

/**
 * Runs `request` on the backend's own engine entry `method` where it has one (engine 'auto'),
 * else `inner` (the same request as an InnerLoopRequest) on the TypeScript engine, its result
 * converted by `toResult`. `inner` is validated first either way.
 */
export async function runOnEngine<K extends EngineMethod>(
  backend: Backend,
  programs: EnginePrograms,
  method: K,
  request: Parameters<MethodOf<K>>[0],
  inner: InnerLoopRequest,
  toResult: (result: InnerLoopResult) => ResultOf<K>,
  engine: EngineChoice,
): Promise<ResultOf<K>> {
  validateInnerLoopRequest(backend, inner);
  const own = engine === 'auto' ? backendEngine(programs, method, inner.tasks[0].query !== undefined) : undefined;
  return own ? own(request) : toResult(await innerLoopInTypeScript(backend, programs, inner));
}

/**
 * The backend's own engine entry `method` for these programs, with the query program passed
 * along when the query data has its own program; undefined when either program lacks it.
 */
function backendEngine<K extends EngineMethod>(
  programs: EnginePrograms,
  method: K,
  withQuery: boolean,
): ((request: Parameters<MethodOf<K>>[0]) => Promise<ResultOf<K>>) | undefined {
  const support = programs.support.compiled;
  const queryProgram = withQuery && support !== programs.query.compiled ? programs.query.compiled : undefined;
  const own = support[method] as ((request: unknown, query?: CompiledProgram) => Promise<ResultOf<K>>) | undefined;
  if (!own || (queryProgram && !queryProgram[method])) return undefined;
  return (request) => own.call(support, request, queryProgram);
}
