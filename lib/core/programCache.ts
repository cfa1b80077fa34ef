/**
 * The one cache of recorded programs (lib/core/record.ts): every learner's loss programs
 * (lib/algorithms/lossProgram.ts) and every metric learner's episode programs
 * (lib/metric/episodePrograms.ts) live in one of these.
 *
 * Key: programKey(backend, identity, inputs) always holds the backend instance, the program's
 * identity (what it computes: loss kind, statistics mode, episode labels...) and the shape and
 * dtype of every input, so two backends, two dtypes or two shapes never share a program.
 *
 * Bound: at most `limit` entries (DEFAULT_PROGRAM_LIMIT unless the owner sets another); the
 * least recently used entry goes first and is disposed. An entry in use is pinned: acquire()
 * pins it until release(), so eviction, evict() and clear() never free a program that a
 * running (possibly async) call holds; it is freed when its last user releases it.
 */
import { ValueError } from '../errors.js';
import type { Backend } from '../backend/types.js';

/** What a cache holds: a recorded program, or a program plus the constants it owns. */
export interface CachedValue {
  dispose(): void;
}

/** Entries a cache keeps unless its owner says otherwise; a usual run needs a handful. */
export const DEFAULT_PROGRAM_LIMIT = 32;

/** Shape and dtype: all a recording depends on of an input (not its values). */
export interface InputType {
  readonly shape: readonly number[];
  readonly dtype: string;
}

interface Entry<V> {
  key: string;
  value: V;
  /** Running calls holding the value (acquire without release yet). */
  users: number;
  /** False once evicted or cleared: the last release frees it. */
  cached: boolean;
}

export class ProgramCache<V extends CachedValue> {
  /** Insertion order = recency order (a hit moves its entry to the end). */
  private readonly entries = new Map<string, Entry<V>>();
  /** Pinned values, for release(). */
  private readonly pinned = new Map<V, Entry<V>>();
  private maxEntries: number;

  constructor(limit: number = DEFAULT_PROGRAM_LIMIT) {
    this.maxEntries = checkedLimit(limit);
  }

  /** The bound on cached entries. */
  get limit(): number {
    return this.maxEntries;
  }

  /** Sets the bound, evicting least recently used entries beyond it. */
  set limit(value: number) {
    this.maxEntries = checkedLimit(value);
    this.evictBeyondLimit();
  }

  /** Entries cached now (pinned ones that were evicted are not counted). */
  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The value under `key` (made by `make` on a miss), pinned until release(value). */
  acquire(key: string, make: () => V): V {
    let entry = this.entries.get(key);
    if (entry) this.entries.delete(key);
    else entry = { key, value: make(), users: 0, cached: true };
    this.entries.set(key, entry);
    entry.users++;
    this.pinned.set(entry.value, entry);
    this.evictBeyondLimit();
    return entry.value;
  }

  /** Ends one use of an acquired value; an evicted value is freed by its last user. */
  release(value: V): void {
    const entry = this.pinned.get(value);
    if (!entry) return;
    entry.users--;
    if (entry.users > 0) return;
    this.pinned.delete(value);
    if (!entry.cached) entry.value.dispose();
  }

  /** Runs body with the value under `key` pinned (made by `make` on a miss). */
  async use<R>(key: string, make: () => V, body: (value: V) => Promise<R> | R): Promise<R> {
    const value = this.acquire(key, make);
    try {
      return await body(value);
    } finally {
      this.release(value);
    }
  }

  /** Drops `key` (freed now, or by its last user if pinned); false when absent. */
  evict(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.drop(entry);
    return true;
  }

  /** Drops every entry (pinned ones are freed when released); the cache stays usable. */
  clear(): void {
    for (const entry of [...this.entries.values()]) this.drop(entry);
  }

  /** The same as clear(): the owner is done with its programs. */
  dispose(): void {
    this.clear();
  }

  private drop(entry: Entry<V>): void {
    this.entries.delete(entry.key);
    entry.cached = false;
    if (entry.users === 0) entry.value.dispose();
  }

  private evictBeyondLimit(): void {
    for (const entry of this.entries.values()) {
      if (this.entries.size <= this.maxEntries) return;
      this.drop(entry);
    }
  }
}

function checkedLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) throw new ValueError(`ProgramCache: limit must be an integer >= 1, got ${String(limit)}`);
  return limit;
}

/** A number per backend instance: two instances of one kind (e.g. a second pure-TS core) never share programs. */
const backendIds = new WeakMap<Backend, number>();
let nextBackendId = 0;

function backendId(backend: Backend): number {
  const known = backendIds.get(backend);
  if (known !== undefined) return known;
  const id = nextBackendId++;
  backendIds.set(backend, id);
  return id;
}

/**
 * The cache key of a program: backend instance, identity (what the program computes, beyond its
 * input types) and named input types, e.g. programKey(b, 'crossEntropy', [['w', w], ['x', x]]).
 */
export function programKey(backend: Backend, identity: string, inputs: readonly (readonly [string, InputType])[]): string {
  return [`${backend.name}#${backendId(backend)}`, identity, ...inputs.map(([name, t]) => `${name}:${t.dtype}[${t.shape.join(',')}]`)].join('|');
}
