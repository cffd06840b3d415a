/**
 * Whether a parsed document is far beyond the scale of any design file, measured in one walk
 * with an explicit stack. vscode-json-languageservice checks `uniqueItems` pairwise (O(n²): a
 * 16,000-item `heads` array took 13 s) and reports every problem of every item (20,000 problems
 * took 3.6 s), so such documents are validated by src/core/config's bounded validator instead
 * (same wording), and schema hover/completion are skipped for them.
 */
import type { ASTNode } from 'vscode-json-languageservice';

/** No design file needs more entries than this in one array or object (the schema allows ≤ 64). */
export const MAX_CONTAINER_ENTRIES = 256;
/** A large design (64 blocks, 64 devices) has about 700 values; a 1,000-block file about 5,000. */
export const MAX_VALUES = 20_000;

export function beyondDesignScale(root: ASTNode | undefined): boolean {
  let values = 0;
  const stack: ASTNode[] = root ? [root] : [];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (++values > MAX_VALUES) return true;
    if (node.type === 'array') {
      if (node.items.length > MAX_CONTAINER_ENTRIES) return true;
      for (const item of node.items) stack.push(item); // no spread: it overflows on 100k+ items
    } else if (node.type === 'object') {
      if (node.properties.length > MAX_CONTAINER_ENTRIES) return true;
      for (const p of node.properties) if (p.valueNode) stack.push(p.valueNode);
    }
  }
  return false;
}
