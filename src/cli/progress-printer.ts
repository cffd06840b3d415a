import type { Progress } from '../core/progress';

/**
 * Prints progress on stderr: a redrawn bar on a TTY, one line per stage (and every 10%) otherwise.
 */
export function progressPrinter(write: (text: string) => void, isTTY: boolean): (p: Progress) => void {
  let lastStage = '';
  let lastDecile = -1;
  return (p) => {
    const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
    const detail = p.detail ? ` ${p.detail}` : '';
    if (isTTY) {
      const width = 24;
      const filled = Math.round(frac * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      write(`\r\x1b[K${p.stage} ${bar} ${p.done}/${p.total}${detail}`);
      if (p.done >= p.total) write('\n');
      return;
    }
    const decile = Math.floor(frac * 10);
    if (p.stage !== lastStage || decile !== lastDecile || p.done >= p.total) {
      if (p.stage !== lastStage || decile > lastDecile) write(`${p.stage} ${p.done}/${p.total}${detail}\n`);
      lastStage = p.stage;
      lastDecile = decile;
    }
  };
}
