// node scripts/op-cases-text.mjs IN.json OUT.txt: the shared op-test table (test/ops/cases.json)
// as line-oriented text for the C++ test native/tests/test_derivatives.cpp, so C++ needs no JSON
// reader. Run by CMake (CMakeLists.txt) whenever cases.json changes. One record per line:
//   case <op> <name, rest of the line>
//   attr <key> <number>...      (booleans as 1 / 0; each attribute of the case's "attrs")
//   input <dims>...             (starts an input of the case above)
//   dist <name> | range <lo> <hi> | values <number>...   (of the input above)
// Numbers are JavaScript's shortest round-trip form: strtod reads back the same double.
import { readFileSync, writeFileSync } from 'node:fs';

const [input, output] = process.argv.slice(2);
if (!input || !output) throw new Error('usage: node scripts/op-cases-text.mjs IN.json OUT.txt');
const numbers = (value) => [value].flat().map((v) => (typeof v === 'boolean' ? Number(v) : v)).join(' ');
const lines = [];
for (const c of JSON.parse(readFileSync(input, 'utf8')).cases) {
  if (/\s/.test(c.op) || /\n/.test(c.name)) throw new Error(`cases.json: case '${c.name}' cannot be written as one line`);
  lines.push(`case ${c.op} ${c.name}`);
  for (const [key, value] of Object.entries(c.attrs ?? {})) lines.push(`attr ${key} ${numbers(value)}`);
  for (const i of c.inputs) {
    lines.push(`input ${numbers(i.shape)}`);
    if (i.dist !== undefined) lines.push(`dist ${i.dist}`);
    if (i.range !== undefined) lines.push(`range ${numbers(i.range)}`);
    if (i.values !== undefined) lines.push(`values ${numbers(i.values)}`);
  }
}
writeFileSync(output, `${lines.join('\n')}\n`);
