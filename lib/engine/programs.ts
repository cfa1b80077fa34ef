import type { CompiledProgram } from '../backend/types.js';

/** A compiled loss program and its output count (outputs[0] is the loss). */
export interface EngineProgram {
  compiled: CompiledProgram;
  numOutputs: number;
}

/**
 * The support loss drives the inner loop, the query loss the objective. They are the same
 * program when support and query sets have the same shapes; otherwise two recordings of one
 * loss function (a backend's own engine takes the query program as its second argument).
 */
export interface EnginePrograms {
  support: EngineProgram;
  query: EngineProgram;
}
