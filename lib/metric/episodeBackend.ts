/**
 * Which backend an episode pass runs on: the one that owns the params and the episode's inputs
 * (the current backend plays no part, as everywhere in lib/core and lib/algorithms). Tensors
 * of two backends cannot meet in one op, so a mix is refused up front with a BackendError that
 * names both backends and which tensors live where.
 */
import type { Backend } from '../backend/types.js';
import type { Tensor } from '../core/tensor.js';
import type { Params } from '../algorithms/types.js';
import { BackendError } from '../errors.js';
import type { Episode } from './episode.js';

export function episodeBackend(algorithm: string, params: Params, episode: Episode): Backend {
  const named: [string, Tensor][] = [
    ...Object.entries(params).map(([name, t]): [string, Tensor] => [`parameter '${name}'`, t]),
    ["the episode's support x", episode.support.x],
    ["the episode's query x", episode.query.x],
  ];
  const [firstName, first] = named[0];
  for (const [name, t] of named) {
    if (t.backend !== first.backend) {
      throw new BackendError(
        `${algorithm}: ${firstName} lives on the ${first.backend.name} backend but ${name} on the ${t.backend.name} backend; ` +
          'create params and episodes on one backend (setBackend() before making them)',
      );
    }
  }
  return first.backend;
}
