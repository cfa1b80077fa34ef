// Types of scripts/native-advice.mjs for the TypeScript tests that import it.
export declare const NATIVE_BUILD_COMMAND: string;
export declare const NATIVE_BUILD_ADVICE: string;
