// node scripts/op-cases-cpp.mjs IN.json OUT.inc: the shared op-test table (test/ops/cases.json)
// as C++ initializers for native/tests/test_derivatives.cpp (CaseSpec there), so C++ needs no
// JSON reader. Run by CMake (CMakeLists.txt) whenever cases.json changes. One row per case:
//   {"name", "op", {{"attr key", {numbers...}}, ...}, {InputSpec{shape, dist, has_range, lo, hi, data, values}, ...}},
// booleans as 1 / 0. Numbers are JavaScript's shortest round-trip form, which C++ reads back as
// the same double; the op is looked up at run time, so an unknown op is a test failure.
import { readFileSync, writeFileSync } from 'node:fs';

const [input, output] = process.argv.slice(2);
if (!input || !output) throw new Error('usage: node scripts/op-cases-cpp.mjs IN.json OUT.inc');
const list = (value) => `{${[value].flat().map(Number).join(', ')}}`;
const rows = JSON.parse(readFileSync(input, 'utf8')).cases.map((c) => {
  const attrs = Object.entries(c.attrs ?? {}).map(([key, value]) => `{${JSON.stringify(key)}, ${list(value)}}`);
  const inputs = c.inputs.map((i) => {
    const [lo, hi] = i.range ?? [0, 0];
    const fields = [list(i.shape), JSON.stringify(i.dist ?? 'normal'), i.range !== undefined, lo, hi, i.values !== undefined];
    return `InputSpec{${fields.join(', ')}, ${list(i.values ?? [])}}`;
  });
  return `{${JSON.stringify(c.name)}, ${JSON.stringify(c.op)}, {${attrs.join(', ')}}, {${inputs.join(', ')}}},`;
});
writeFileSync(output, `${rows.join('\n')}\n`);
