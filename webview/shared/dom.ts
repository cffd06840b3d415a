// Small DOM builders shared by the table-based panels (inspector, report).

export function el(tag: string, text?: string, cls?: string): HTMLElement {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

/** A table with a header row; columns whose index is in `numeric` are right-aligned (class "num"). */
export function table(head: string[], rows: (string | number)[][], numeric = new Set<number>()): HTMLElement {
  const t = el('table');
  const tr = el('tr');
  head.forEach((h, i) => tr.append(el('th', h, numeric.has(i) ? 'num' : undefined)));
  t.append(tr);
  for (const r of rows) {
    const row = el('tr');
    r.forEach((c, i) => row.append(el('td', String(c), numeric.has(i) ? 'num' : undefined)));
    t.append(row);
  }
  return t;
}
