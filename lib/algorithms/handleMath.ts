/** Moved to lib/engine/handleMath.ts (issue 14); re-exported for the modules that import it from here. */
export * from '../engine/handleMath.js';
