/**
 * The most entries of any array or object in a parsed document, in one walk with an explicit
 * stack. vscode-json-languageservice checks `uniqueItems` pairwise (O(n²): a 16,000-item
 * `heads` array took 13 s) and reports every item of an oversized array, so documents with
 * containers far beyond the schema's limits are validated by src/core/config's bounded
 * validator instead (same wording), and schema hover/completion are skipped for them.
 */
import type { ASTNode } from 'vscode-json-languageservice';

/** No design file needs more entries than this in one array or object (the schema allows ≤ 64). */
export const MAX_CONTAINER_ENTRIES = 256;

export function largestContainer(root: ASTNode | undefined): number {
  let largest = 0;
  const stack: ASTNode[] = root ? [root] : [];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.type === 'array') {
      largest = Math.max(largest, node.items.length);
      for (const item of node.items) stack.push(item); // no spread: it overflows on 100k+ items
    } else if (node.type === 'object') {
      largest = Math.max(largest, node.properties.length);
      for (const p of node.properties) if (p.valueNode) stack.push(p.valueNode);
    }
  }
  return largest;
}
