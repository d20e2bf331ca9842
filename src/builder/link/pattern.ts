/** ld-style wildcard matching for file and section patterns: `*`, `?` and `[...]` classes. */
const cache = new Map<string, RegExp>();

export function wildcard(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re) return re;
  let src = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') src += '.*';
    else if (c === '?') src += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) src += '\\[';
      else {
        src += '[' + pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else src += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  re = new RegExp(src + '$');
  cache.set(pattern, re);
  return re;
}

export function matches(pattern: string, name: string): boolean {
  return wildcard(pattern).test(name);
}

/** ld matches file patterns against the object's name; `*` also matches objects without a path. */
export function matchesFile(pattern: string, file: string): boolean {
  if (pattern === '*') return true;
  return matches(pattern, file) || matches(pattern, file.split('/').pop()!);
}
