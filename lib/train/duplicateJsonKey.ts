/**
 * JSON.parse keeps the last of two equal keys in one object and says nothing; a file whose
 * header names a tensor twice is ambiguous, so readers look for that first. Scans JSON text
 * (assumed to parse) and returns the first key that occurs twice in the same object, e.g.
 * '{"a":1,"b":{"c":2,"c":3}}' -> 'c'; undefined when there is none.
 */
export function duplicateJsonKey(text: string): string | undefined {
  const objects: (Set<string> | null)[] = []; // one entry per open {...} (a key set) or [...] (null)
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') objects.push(new Set());
    else if (c === '[') objects.push(null);
    else if (c === '}' || c === ']') objects.pop();
    else if (c === '"') {
      const end = stringEnd(text, i);
      const keys = objects[objects.length - 1];
      if (keys && isFollowedByColon(text, end)) {
        const key = JSON.parse(text.slice(i, end)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      i = end - 1;
    }
  }
  return undefined;
}

/** Index just past the closing quote of the string starting at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

function isFollowedByColon(text: string, from: number): boolean {
  let i = from;
  while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  return text[i] === ':';
}
