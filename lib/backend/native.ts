/**
 * The native core (native/, built by cmake-js, found by node-gyp-build) behind the Backend
 * interface. Handles are the binding's NativeTensor objects themselves; every binding error is
 * re-thrown as the typed error of lib/errors.ts that its `code` names.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Native, NativeBinding, NativeProgram, NativeTensor } from '../../binding.js';
import { fromAdaptBatchRequest, fromMetaGradientRequest, toAdaptBatchResult, toMetaGradientResult } from '../engine/legacyRequests.js';
import type { InnerLoopRequest, InnerLoopResult } from '../engine/request.js';
import { BackendError, fromNativeError } from '../errors.js';
import type { PrimitiveAttrs, PrimitiveName } from './primitives.js';
import type {
  AdaptBatchRequest,
  AdaptBatchResult,
  Backend,
  CompiledProgram,
  DType,
  Handle,
  MetaGradientRequest,
  MetaGradientResult,
  ProgramSpec,
  TypedArray,
} from './types.js';

/** The directory of the package.json named "metalearn" above this file (lib/backend or dist/backend). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'metalearn') return dir;
      } catch {
        // An unreadable package.json is not ours: keep walking up.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new BackendError('native backend: cannot find the metalearn package root (package.json)');
    dir = parent;
  }
}

/**
 * Loads the raw binding with node-gyp-build (build/Release, then prebuilds/<platform>-<arch>/).
 * METALEARN_NATIVE_BINARY=/abs/path/metalearn.node loads exactly that file instead, with no
 * fallback, so a run that asks for a particular build (the sanitized one of
 * scripts/test-sanitize.mjs) either gets it or fails; it never runs on another binary.
 */
export function loadBinding(): NativeBinding {
  const root = packageRoot();
  const require = createRequire(import.meta.url);
  const override = process.env.METALEARN_NATIVE_BINARY;
  if (override !== undefined && override !== '') {
    if (!isAbsolute(override)) {
      throw new BackendError(`native backend: METALEARN_NATIVE_BINARY must be an absolute path to a .node file, got '${override}'`);
    }
    try {
      return require(override) as NativeBinding;
    } catch (err) {
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      throw new BackendError(`native backend: METALEARN_NATIVE_BINARY=${override} does not load (${reason})`);
    }
  }
  try {
    const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown;
    return nodeGypBuild(root) as NativeBinding;
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    // The command must work from a user's project, where this package's npm scripts do not exist
    // (the same text as scripts/native-advice.mjs; test/core/nativeAdvice.test.ts keeps them equal).
    throw new BackendError(
      `native backend: no binary loads from ${root} (${reason}); to build the native core, install a C++17 compiler and ` +
        'cmake >= 3.15, then run `npm rebuild metalearn --foreground-scripts` in your project (in a clone of metalearn: `npm run build:native`)',
    );
  }
}

/** Runs a binding call, converting its errors to typed errors. */
function call<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw fromNativeError(err);
  }
}

const asNative = (h: Handle | null): NativeTensor | null => h as unknown as NativeTensor | null;
const asNatives = (hs: Handle[]): NativeTensor[] => hs as unknown as NativeTensor[];
const asHandles = (ts: NativeTensor[]): Handle[] => ts as unknown as Handle[];

class NativeCompiledProgram implements CompiledProgram {
  constructor(private readonly program: NativeProgram) {}

  run(inputs: Handle[]): Handle[] {
    return asHandles(call(() => this.program.run(asNatives(inputs))));
  }

  vjp(inputs: Handle[], cotangents: (Handle | null)[], wrt: number[]): { outputs: Handle[]; grads: Handle[] } {
    const r = call(() => this.program.vjp(asNatives(inputs), cotangents.map(asNative), wrt));
    return { outputs: asHandles(r.outputs), grads: asHandles(r.grads) };
  }

  jvp(inputs: Handle[], tangents: (Handle | null)[]): { outputs: Handle[]; tangents: Handle[] } {
    const r = call(() => this.program.jvp(asNatives(inputs), tangents.map(asNative)));
    return { outputs: asHandles(r.outputs), tangents: asHandles(r.tangents) };
  }

  hvp(
    inputs: Handle[],
    tangents: (Handle | null)[],
    cotangents: (Handle | null)[],
    wrt: number[],
  ): { outputs: Handle[]; grads: Handle[]; gradTangents: Handle[] } {
    const r = call(() => this.program.hvp(asNatives(inputs), tangents.map(asNative), cotangents.map(asNative), wrt));
    return { outputs: asHandles(r.outputs), grads: asHandles(r.grads), gradTangents: asHandles(r.gradTangents) };
  }

  /** The one inner-loop engine (native/engine/inner_loop.h); handles are the binding's tensors, so both ways are casts. */
  async innerLoop(request: InnerLoopRequest, queryProgram?: CompiledProgram): Promise<InnerLoopResult> {
    const label = request.label ?? 'innerLoop';
    // A binary built before the one engine (a stale build or prebuild) has metaGradient / adaptBatch instead.
    if (typeof this.program.innerLoop !== 'function') throw new BackendError(`${label}: this native binary has no innerLoop; rebuild it`);
    const query = nativeQueryProgram(queryProgram, label);
    try {
      const result = await call(() => this.program.innerLoop(request as unknown as Native<InnerLoopRequest>, query));
      return result as unknown as InnerLoopResult;
    } catch (err) {
      throw fromNativeError(err);
    }
  }

  async metaGradient(request: MetaGradientRequest, queryProgram?: CompiledProgram): Promise<MetaGradientResult> {
    return toMetaGradientResult(await this.innerLoop(fromMetaGradientRequest(request), queryProgram));
  }

  async adaptBatch(request: AdaptBatchRequest, queryProgram?: CompiledProgram): Promise<AdaptBatchResult> {
    return toAdaptBatchResult(await this.innerLoop(fromAdaptBatchRequest(request), queryProgram));
  }

  dispose(): void {
    this.program.dispose();
  }

  /** The binding's program behind a CompiledProgram of this backend. */
  static rawProgram(compiled: CompiledProgram): NativeProgram | undefined {
    return compiled instanceof NativeCompiledProgram ? compiled.program : undefined;
  }
}

/** The optional query program of innerLoop as the binding's program; it must come from this backend. */
function nativeQueryProgram(queryProgram: CompiledProgram | undefined, method: string): NativeProgram | undefined {
  if (!queryProgram) return undefined;
  const raw = NativeCompiledProgram.rawProgram(queryProgram);
  if (!raw) throw new BackendError(`${method}: the query program was not compiled by the native backend`);
  return raw;
}

class NativeBackend implements Backend {
  readonly name = 'native' as const;

  constructor(private readonly binding: NativeBinding) {}

  fromArray(data: TypedArray, shape: readonly number[]): Handle {
    return call(() => this.binding.fromArray(data, [...shape])) as unknown as Handle;
  }

  toArray(h: Handle): TypedArray {
    return call(() => this.binding.toArray(h as unknown as NativeTensor));
  }

  shapeOf(h: Handle): number[] {
    return call(() => this.binding.shapeOf(h as unknown as NativeTensor));
  }

  dtypeOf(h: Handle): DType {
    return call(() => this.binding.dtypeOf(h as unknown as NativeTensor));
  }

  dispose(h: Handle): void {
    call(() => this.binding.dispose(h as unknown as NativeTensor));
  }

  exec<P extends PrimitiveName>(op: P, inputs: Handle[], attrs: PrimitiveAttrs<P>): Handle {
    return call(() => this.binding.exec(op, asNatives(inputs), attrs as Record<string, unknown>)) as unknown as Handle;
  }

  compile(spec: ProgramSpec): CompiledProgram {
    return new NativeCompiledProgram(call(() => this.binding.compile(spec)));
  }

  liveTensors(): number {
    return this.binding.liveTensors();
  }

  peakTensorBytes(): number {
    return this.tensorBytes().peak;
  }

  resetPeakTensorBytes(): void {
    if (!this.binding.resetPeakTensorBytes) throw new BackendError('resetPeakTensorBytes: the native binary predates byte counts; rebuild it');
    this.binding.resetPeakTensorBytes();
  }

  /** Live and peak tensor bytes, also as the allocator sized the blocks (liveHeld, peakHeld). */
  tensorBytes(): { live: number; peak: number; liveHeld: number; peakHeld: number } {
    if (!this.binding.tensorBytes) throw new BackendError('tensorBytes: the native binary predates byte counts; rebuild it');
    return this.binding.tensorBytes();
  }

  /** Threads the meta-batch engine uses (METALEARN_THREADS, else the hardware threads). */
  numThreads(): number {
    return this.binding.numThreads();
  }

  buildInfo(): ReturnType<NativeBinding['buildInfo']> {
    return this.binding.buildInfo();
  }
}

/** The native core as a Backend; throws BackendError saying why when no binary loads. */
export function loadNativeBackend(): Backend {
  return new NativeBackend(loadBinding());
}
