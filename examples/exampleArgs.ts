/**
 * Command-line options shared by the examples: `--iterations N` (meta-iterations; CI passes a
 * small number to run an example in seconds) and `--data-root DIR`.
 */
import { parseArgs } from 'node:util';

export interface ExampleArgs {
  iterations: number;
  dataRoot?: string;
}

export function exampleArgs(defaultIterations: number): ExampleArgs {
  const { values } = parseArgs({
    options: { iterations: { type: 'string' }, 'data-root': { type: 'string' } },
    strict: true,
  });
  const iterations = values.iterations === undefined ? defaultIterations : Number(values.iterations);
  if (!Number.isInteger(iterations) || iterations < 1) {
    console.error(`--iterations must be a positive integer, got ${values.iterations}`);
    process.exit(2);
  }
  return { iterations, ...(values['data-root'] === undefined ? {} : { dataRoot: values['data-root'] }) };
}
