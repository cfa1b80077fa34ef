/**
 * Which parameters form a network's "head" (the part ANIL adapts in the inner loop).
 */
import { ValueError } from '../errors.js';

/** A head given by exact names, a name prefix ('head.'), or a predicate. */
export type HeadSpec = string[] | string | ((name: string) => boolean);

/**
 * The names of the head parameters among `names`.
 * Default (no spec): every name starting with 'head.' (nn.conv4's classifier); failing that,
 * the last layer: the parameters sharing the prefix (text before the final '.') of the name
 * that sorts last in natural order ('layer2.weight' after 'layer10.weight' is handled:
 * 'layer10' is the last layer of a 12-layer MLP).
 */
export function selectHead(names: readonly string[], spec?: HeadSpec): string[] {
  let head: string[];
  if (spec === undefined) head = defaultHead(names);
  else if (typeof spec === 'function') head = names.filter(spec);
  else if (typeof spec === 'string') head = names.filter((n) => n.startsWith(spec));
  else {
    const missing = spec.filter((n) => !names.includes(n));
    if (missing.length > 0) {
      throw new ValueError(`ANIL: head parameters [${missing.join(', ')}] are not among the model's [${names.join(', ')}]`);
    }
    head = names.filter((n) => spec.includes(n));
  }
  if (head.length === 0) throw new ValueError(`ANIL: the head selects none of the parameters [${names.join(', ')}]`);
  return head;
}

function defaultHead(names: readonly string[]): string[] {
  const byHeadPrefix = names.filter((n) => n.startsWith('head.'));
  if (byHeadPrefix.length > 0) return byHeadPrefix;
  const layerOf = (n: string): string => (n.includes('.') ? n.slice(0, n.lastIndexOf('.')) : n);
  const layers = [...new Set(names.map(layerOf))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const last = layers[layers.length - 1];
  return names.filter((n) => layerOf(n) === last);
}
