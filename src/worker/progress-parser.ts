import type { ProgressMessage } from '../protocol/job-messages';

// The CLI's progress printer (src/cli/progress-printer.ts) in TTY mode redraws one line per update:
// "\r\x1b[K<stage> <bar of █/░> <done>/<total>[ <detail>]".
const BAR_LINE = /^(.*?) [█░]+ (\d+)\/(\d+)(?: (.*))?$/;
const REDRAW = /\r|\x1b\[K/g;

/**
 * Splits text the CLI wrote to stderr into progress updates and log lines.
 * Text may arrive in arbitrary chunks; call `push` per chunk and `flush` at the end.
 */
export class CliStderrParser {
  private pending = '';

  constructor(
    private readonly onProgress: (p: Omit<ProgressMessage, 'type'>) => void,
    private readonly onLog: (line: string) => void,
  ) {}

  push(chunk: string): void {
    const parts = (this.pending + chunk).split(/(?=\r)|\n/);
    this.pending = parts.pop() ?? '';
    for (const part of parts) this.handle(part);
    // A redrawn bar never ends with a newline: handle it now if it is complete.
    if (BAR_LINE.test(this.pending.replace(REDRAW, ''))) {
      this.handle(this.pending);
      this.pending = '';
    }
  }

  flush(): void {
    if (this.pending) this.handle(this.pending);
    this.pending = '';
  }

  private handle(raw: string): void {
    const line = raw.replace(REDRAW, '');
    if (!line.trim()) return;
    const m = BAR_LINE.exec(line);
    if (m) this.onProgress({ stage: m[1], done: Number(m[2]), total: Number(m[3]), detail: m[4] });
    else this.onLog(line);
  }
}
