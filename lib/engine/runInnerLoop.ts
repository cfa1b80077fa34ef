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
  validateInnerLoopRequest(backend, request);
  const own = engine === 'auto' ? backendEngine(programs, 'innerLoop', request.tasks[0].query !== undefined) : undefined;
  return own ? own(request) : innerLoopInTypeScript(backend, programs, request);
}

type EngineMethod = 'innerLoop' | 'metaGradient' | 'adaptBatch';
type MethodOf<K extends EngineMethod> = NonNullable<CompiledProgram[K]>;

/**
 * The backend's own engine entry `method` for these programs, with the query program passed
 * along when the query data has its own program; undefined when either program lacks it.
 */
export function backendEngine<K extends EngineMethod>(
  programs: EnginePrograms,
  method: K,
  withQuery: boolean,
): ((request: Parameters<MethodOf<K>>[0]) => ReturnType<MethodOf<K>>) | undefined {
  const support = programs.support.compiled;
  const queryProgram = withQuery && support !== programs.query.compiled ? programs.query.compiled : undefined;
  const own = support[method] as ((request: unknown, query?: CompiledProgram) => ReturnType<MethodOf<K>>) | undefined;
  if (!own || (queryProgram && !queryProgram[method])) return undefined;
  return (request) => own.call(support, request, queryProgram);
}
