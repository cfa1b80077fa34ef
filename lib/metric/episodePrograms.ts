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
import type { Tensor } from '../core/tensor.js';
import type { RecordedProgram } from '../core/record.js';
import { record } from '../core/transforms.js';
import { sortedKeys } from '../core/params.js';
import { ProgramCache, programKey } from '../core/programCache.js';
import { collectCreated } from '../core/scope.js';
import type { Params } from '../algorithms/types.js';
import type { CheckedEpisode } from './episode.js';
import type { EpisodeForward } from './metricLearner.js';

/** The learner's differentiable pass on a validated episode. */
export type EpisodeForwardFunction = (params: Params, episode: CheckedEpisode) => EpisodeForward;

/** A recorded program and the tensors made while recording it: its own constants (masks, one-hots), freed with it. */
class EpisodeProgram {
  constructor(
    readonly program: RecordedProgram,
    private readonly owned: Tensor[],
  ) {}

  dispose(): void {
    this.program.dispose();
    for (const t of this.owned) t.dispose();
  }
}

/** Recorded programs kept at most (least recently used goes first); a usual run needs one or two. */
const MAX_PROGRAMS = 8;

export class EpisodePrograms {
  private readonly cache = new ProgramCache<EpisodeProgram>(MAX_PROGRAMS);

  constructor(private readonly forward: EpisodeForwardFunction) {}

  /**
   * Runs body with the program for this episode's layout (recorded on first use). The
   * program stays alive while body runs, even if other calls fill the cache meanwhile.
   */
  async use<R>(params: Params, episode: CheckedEpisode, body: (program: RecordedProgram) => Promise<R> | R): Promise<R> {
    return this.cache.use(layoutKey(params, episode), () => this.record(params, episode), (entry) => body(entry.program));
  }

  /** Frees every program (one in use when its user ends; the learner stays usable: they are recorded again). */
  dispose(): void {
    this.cache.clear();
  }

  /** How many programs are cached (for tests). */
  get size(): number {
    return this.cache.size;
  }

  private record(params: Params, episode: CheckedEpisode): EpisodeProgram {
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
    return new EpisodeProgram(
      program,
      created.filter((t) => constants.has(t)),
    );
  }
}

/** Everything a recording depends on: backend, params, input shapes and dtypes, ways, labels. */
export function layoutKey(params: Params, episode: CheckedEpisode): string {
  const { support, query } = episode;
  const identity = `support ${support.y.join(',')} query ${query.y.join(',')} ways ${episode.ways}`;
  return programKey(support.x.backend, identity, [
    ...sortedKeys(params).map((n): [string, Tensor] => [n, params[n]]),
    ['support', support.x],
    ['query', query.x],
  ]);
}
