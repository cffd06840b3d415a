/**
 * Finds the first offset where JSON nesting exceeds `limit`, in one linear pass with no
 * recursion (jsonc-parser and vscode-json-languageservice recurse per level and overflow the
 * stack near 10,000 levels). Brackets inside strings and comments are skipped.
 * Returns -1 when the document stays within the limit.
 */
export function findExcessNesting(text: string, limit: number): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) i = skipString(text, i);
    else if (c === 0x2f /* / */) i = skipComment(text, i);
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limit) return i;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth = Math.max(0, depth - 1);
  }
  return -1;
}

/** Index of the closing quote (or the end of the line / text for an unterminated string). */
function skipString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22 || c === 0x0a) return i;
  }
  return text.length;
}

function skipComment(text: string, start: number): number {
  const next = text.charCodeAt(start + 1);
  if (next === 0x2f) {
    const end = text.indexOf('\n', start + 2);
    return end < 0 ? text.length : end;
  }
  if (next === 0x2a) {
    const end = text.indexOf('*/', start + 2);
    return end < 0 ? text.length : end + 1;
  }
  return start;
}
