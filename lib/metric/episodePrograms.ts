/**
 * A metric learner's episode pass, recorded once per episode layout and replayed for every
 * episode of that layout (lib/core/record.ts).
 *
 * Program: forward(params, supportX, queryX) -> [loss, scores], with inputs
 *   [params in sorted key order..., supportX, queryX, constants...]
 * The labels are not inputs: the masks, one-hot matrices and shot counts built from them are
 * captured as constants. So one recording serves every episode with the same *layout*: the
 * same parameter shapes, input shapes, dtype, ways and the same support and query label
 * sequences. The samplers lay episodes out class by class (lib/data/episodeAssembly.ts), so
 * every N-way K-shot Q-query episode has the same layout and one program serves a whole
 * evaluation or training run; shuffled episodes simply record more programs.
 *
 * Replaying a program is what lets a whole meta-batch run in one native call, tasks in
 * parallel across threads and off the event loop (metaGradient / adaptBatch with 0 steps).
 */
import type { Backend } from '../backend/types.js';
import type { Tensor } from '../core/tensor.js';
import type { RecordedProgram } from '../core/record.js';
import { record } from '../core/transforms.js';
import { sortedKeys } from '../core/params.js';
import { collectCreated } from '../core/scope.js';
import type { Params } from '../algorithms/types.js';
import type { CheckedEpisode } from './episode.js';
import type { EpisodeForward } from './metricLearner.js';

/** The learner's differentiable pass on a validated episode. */
export type EpisodeForwardFunction = (params: Params, episode: CheckedEpisode) => EpisodeForward;

interface Entry {
  program: RecordedProgram;
  /** Tensors made while recording: the program's own constants (masks, one-hots), freed with it; others freed at once. */
  owned: Tensor[];
  users: number;
}

/** Recorded programs kept at most (least recently used goes first); a usual run needs one or two. */
const MAX_PROGRAMS = 8;

export class EpisodePrograms {
  /** Insertion order = recency order (a hit moves its entry to the end). */
  private readonly cache = new Map<string, Entry>();

  constructor(private readonly forward: EpisodeForwardFunction) {}

  /**
   * Runs body with the program for this episode's layout (recorded on first use). The
   * program stays alive while body runs, even if other calls fill the cache meanwhile.
   */
  async use<R>(params: Params, episode: CheckedEpisode, body: (program: RecordedProgram) => Promise<R> | R): Promise<R> {
    const key = layoutKey(params, episode);
    let entry = this.cache.get(key);
    if (entry) this.cache.delete(key);
    else entry = this.record(params, episode);
    this.cache.set(key, entry);
    entry.users++;
    this.evict();
    try {
      return await body(entry.program);
    } finally {
      entry.users--;
      if (this.cache.get(key) !== entry && entry.users === 0) free(entry);
      this.evict();
    }
  }

  /** Frees every program not in use now (the learner stays usable: they are recorded again). */
  dispose(): void {
    for (const [key, entry] of this.cache) {
      if (entry.users === 0) {
        free(entry);
        this.cache.delete(key);
      }
    }
  }

  /** How many programs are cached (for tests). */
  get size(): number {
    return this.cache.size;
  }

  private record(params: Params, episode: CheckedEpisode): Entry {
    const pass = (p: Params, supportX: Tensor, queryX: Tensor): Tensor[] => {
      const symbolic: CheckedEpisode = {
        ...episode,
        support: { x: supportX, y: episode.support.y },
        query: { x: queryX, y: episode.query.y },
      };
      const { loss, scores } = this.forward(p, symbolic);
      return [loss, scores];
    };
    const { result: program, created } = collectCreated(() => record(pass, params, episode.support.x, episode.query.x));
    const constants = new Set(program.constants);
    for (const t of created) if (!constants.has(t)) t.dispose();
    return { program, owned: created.filter((t) => constants.has(t)), users: 0 };
  }

  /** Drops least recently used programs beyond MAX_PROGRAMS; one in use is freed when its user ends. */
  private evict(): void {
    for (const [key, entry] of this.cache) {
      if (this.cache.size <= MAX_PROGRAMS) return;
      this.cache.delete(key);
      if (entry.users === 0) free(entry);
    }
  }
}

function free(entry: Entry): void {
  entry.program.dispose();
  for (const t of entry.owned) t.dispose();
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

/** Everything a recording depends on: backend, params, input shapes and dtypes, ways, labels. */
export function layoutKey(params: Params, episode: CheckedEpisode): string {
  const names = sortedKeys(params);
  const x = (t: Tensor): string => `${t.dtype}[${t.shape.join(',')}]`;
  return [
    `${episode.support.x.backend.name}#${backendId(episode.support.x.backend)}`,
    ...names.map((n) => `${n}:${x(params[n])}`),
    `support ${x(episode.support.x)} ${episode.support.y.join(',')}`,
    `query ${x(episode.query.x)} ${episode.query.y.join(',')}`,
    `ways ${episode.ways}`,
  ].join('|');
}
