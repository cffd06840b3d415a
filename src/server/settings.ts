/**
 * Server settings, read once from `initializationOptions` (all optional):
 * `{ debounceMs, maxAnalysisChars, maxNestingDepth }`. Anything missing or out of range
 * falls back to the default, so a client can never put the server in a state where it hangs.
 */
export interface ServerSettings {
  /** Delay between the last change and the diagnostics run (0 = run at once, as the bench does). */
  debounceMs: number;
  /** Documents longer than this (UTF-16 code units, = bytes for ASCII) get only an info diagnostic. */
  maxAnalysisChars: number;
  /** Documents nested deeper than this get one error and no further analysis. */
  maxNestingDepth: number;
}

export const defaultSettings: ServerSettings = {
  debounceMs: 150,
  maxAnalysisChars: 1024 * 1024,
  maxNestingDepth: 64,
};

const limits: Record<keyof ServerSettings, [number, number]> = {
  debounceMs: [0, 10_000],
  maxAnalysisChars: [1024, 64 * 1024 * 1024],
  maxNestingDepth: [8, 1000],
};

export function readServerSettings(raw: unknown): ServerSettings {
  const options = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const settings = { ...defaultSettings };
  for (const key of Object.keys(limits) as (keyof ServerSettings)[]) {
    const value = options[key];
    const [min, max] = limits[key];
    if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) settings[key] = Math.floor(value);
  }
  return settings;
}
