// The one command that builds metalearn's native core from a user's project (the folder whose
// node_modules holds metalearn). `npm rebuild metalearn` re-runs this package's install script
// (scripts/install-native.mjs), which compiles with the cmake-js of metalearn's own dependencies;
// --foreground-scripts shows the compiler's output, which npm otherwise hides.
// lib/backend/native.ts repeats this string in its load error (it cannot import a script);
// test/core/nativeAdvice.test.ts keeps the two equal.
export const NATIVE_BUILD_COMMAND = 'npm rebuild metalearn --foreground-scripts';

/** What to print when no native binary loads: the command, what it needs, and the fallback. */
export const NATIVE_BUILD_ADVICE =
  `to build the native core, install a C++17 compiler and cmake >= 3.15, then run \`${NATIVE_BUILD_COMMAND}\` ` +
  'in your project (in a clone of metalearn: `npm run build:native`)';
