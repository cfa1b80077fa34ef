#!/usr/bin/env node
// The `metalearn` command (npx metalearn ...): runs the compiled CLI from dist/.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
