/** Walking vscode-json-languageservice's AST by JSON path, without re-parsing the text. */
import type { ASTNode } from 'vscode-json-languageservice';
import type { JsonPath } from '../core/config/diagnostic';

/** The value node at `path`, or undefined when the document has no such value. */
export function nodeAtPath(root: ASTNode | undefined, path: Readonly<JsonPath>): ASTNode | undefined {
  let node = root;
  for (const segment of path) {
    if (node?.type === 'object') node = node.properties.find((p) => p.keyNode.value === segment)?.valueNode;
    else if (node?.type === 'array' && typeof segment === 'number') node = node.items[segment];
    else return undefined;
  }
  return node;
}
