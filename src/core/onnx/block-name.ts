/**
 * The decoder block a name belongs to: `/model/layers.3/…`, `/transformer/h.3/…`, `/h.3/…`,
 * `/blocks.3/…`, `/model/decoder/layers.3/…`, or initializer names like `model.layers.3.mlp…`.
 */
const BLOCK = /(?:^|[/.])(layers|layer|h|blocks|block)[._](\d+)(?=[/._]|$)/;

export interface BlockRef {
  block: string;
  blockIndex: number;
}

export function blockOf(name: string): BlockRef | null {
  const m = BLOCK.exec(name);
  return m ? { block: `${m[1]}.${m[2]}`, blockIndex: Number(m[2]) } : null;
}

/** The first name (node, weight, output…) that names a block. */
export function blockOfAny(names: string[]): BlockRef | null {
  for (const n of names) {
    const b = blockOf(n);
    if (b) return b;
  }
  return null;
}
