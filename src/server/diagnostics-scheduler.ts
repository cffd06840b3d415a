/**
 * Debounced diagnostics: each change restarts the document's timer, and a run whose document
 * changed (or closed) meanwhile publishes nothing — the newer version has its own run queued.
 */
export type DiagnosticsRun = (uri: string) => Promise<void>;

export class DiagnosticsScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly delayMs: number, private readonly run: DiagnosticsRun) {}

  schedule(uri: string): void {
    this.cancel(uri);
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        void this.run(uri);
      }, this.delayMs),
    );
  }

  cancel(uri: string): void {
    const timer = this.timers.get(uri);
    if (timer) clearTimeout(timer);
    this.timers.delete(uri);
  }

  dispose(): void {
    for (const uri of [...this.timers.keys()]) this.cancel(uri);
  }
}
