/**
 * Metric learners with parameters of their own beside the embedding's (the relation module,
 * the FCE LSTMs, the Siamese distance weights) keep them in the same flat Params record under
 * a prefix ('relation.', 'fce.', 'siamese.'); the embedding's parameters keep their own names.
 */
import type { Params } from '../algorithms/types.js';
import { ValueError } from '../errors.js';

/** The entries of `params` whose names start with `prefix`, with the prefix removed. */
export function withPrefix(params: Params, prefix: string): Params {
  const out: Params = {};
  for (const [name, value] of Object.entries(params)) {
    if (name.startsWith(prefix)) out[name.slice(prefix.length)] = value;
  }
  return out;
}

/** The entries of `params` whose names start with none of `prefixes`. */
export function withoutPrefixes(params: Params, prefixes: readonly string[]): Params {
  const out: Params = {};
  for (const [name, value] of Object.entries(params)) {
    if (!prefixes.some((prefix) => name.startsWith(prefix))) out[name] = value;
  }
  return out;
}

/** Joins the embedding's params with `extra` stored under `prefix`; a name clash is a ValueError. */
export function mergeWithPrefix(algorithm: string, embedding: Params, prefix: string, extra: Params): Params {
  const out: Params = { ...embedding };
  for (const name of Object.keys(embedding)) {
    if (name.startsWith(prefix)) {
      throw new ValueError(`${algorithm}: embedding parameter '${name}' clashes with the reserved prefix '${prefix}'`);
    }
  }
  for (const [name, value] of Object.entries(extra)) out[prefix + name] = value;
  return out;
}
