/**
 * A minimal LSP client for tests and the bench: starts the real bundled server
 * (`node dist/server.js --stdio`, rebuilt if missing or older than src/server, src/core or schemas) and speaks JSON-RPC to it over stdio.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CancellationTokenSource, CodeActionRequest, CodeLensRequest, CompletionRequest, type Diagnostic, DidChangeTextDocumentNotification, DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification, ExitNotification, HoverRequest, InitializeRequest, type InitializeResult, InitializedNotification, type Position,
  type ProtocolConnection, PublishDiagnosticsNotification, type PublishDiagnosticsParams, type Range, ShutdownRequest, createProtocolConnection,
} from 'vscode-languageserver-protocol/node';

export const ROOT = resolve(__dirname, '../..');
export const SERVER = join(ROOT, 'dist/server.js');
export const FIXTURES = join(ROOT, 'test/fixtures/merino');

export const fixtureUri = (name: string): string => pathToFileURL(join(FIXTURES, name)).href;
export const fixtureText = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

/** Newest modification time of the files under `dir` (recursively). */
function newestMtime(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, e) => {
    const path = join(dir, e.name);
    return Math.max(newest, e.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }, 0);
}

/** Builds dist/server.js when it is missing or older than the sources it bundles. */
function ensureBuilt(): void {
  const sources = Math.max(newestMtime(join(ROOT, 'src/server')), newestMtime(join(ROOT, 'src/core')), newestMtime(join(ROOT, 'schemas')));
  const fresh = () => existsSync(SERVER) && statSync(SERVER).mtimeMs >= sources;
  if (fresh()) return;
  // Another bundle failing to build does not matter as long as the server's was written.
  spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
  if (!fresh()) throw new Error('npm run build did not produce an up-to-date dist/server.js');
}

type Waiter = { uri: string; accept: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void };

export class LspClient {
  readonly published: PublishDiagnosticsParams[] = [];
  readonly stderr: string[] = [];
  private waiters: Waiter[] = [];
  private versions = new Map<string, number>();

  private constructor(readonly process: ChildProcess, readonly connection: ProtocolConnection, readonly initialized: InitializeResult) {}

  /** Spawns the server and completes the initialize handshake. */
  static async start(initializationOptions: Record<string, unknown> = {}): Promise<LspClient> {
    ensureBuilt();
    const child = spawn(process.execPath, [SERVER, '--stdio'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const connection = createProtocolConnection(child.stdout!, child.stdin!);
    const stderr: string[] = [];
    child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
    const pending: PublishDiagnosticsParams[] = [];
    let client: LspClient | undefined;
    connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
      if (client) client.receive(p);
      else pending.push(p);
    });
    connection.listen();
    const result = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(ROOT).href,
      capabilities: { textDocument: { publishDiagnostics: { versionSupport: true }, hover: { contentFormat: ['markdown'] } } },
      initializationOptions,
    });
    await connection.sendNotification(InitializedNotification.type, {});
    client = new LspClient(child, connection, result);
    client.stderr.push(...stderr);
    pending.forEach((p) => client!.receive(p));
    return client;
  }

  private receive(p: PublishDiagnosticsParams): void {
    this.published.push(p);
    const matched = this.waiters.filter((w) => w.uri === p.uri && w.accept(p));
    this.waiters = this.waiters.filter((w) => !matched.includes(w));
    matched.forEach((w) => w.resolve(p));
  }

  /** The next diagnostics published for `uri`: for document `version`, or accepted by a predicate, or any. */
  nextDiagnostics(uri: string, which?: number | ((p: PublishDiagnosticsParams) => boolean), timeoutMs = 10_000): Promise<PublishDiagnosticsParams> {
    const accept = typeof which === 'function' ? which : (p: PublishDiagnosticsParams) => which === undefined || p.version === which;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} (${which ?? 'any'}) within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        uri,
        accept,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      });
    });
  }

  async open(uri: string, text: string): Promise<void> {
    this.versions.set(uri, 1);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'json', version: 1, text } });
  }

  /** Replaces the whole text (or `range`) and returns the new version. */
  async change(uri: string, text: string, range?: Range): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [range ? { range, text } : { text }],
    });
    return version;
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  hover(uri: string, position: Position, token = new CancellationTokenSource().token) {
    return this.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position }, token);
  }

  completion(uri: string, position: Position) {
    return this.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position });
  }

  codeLens(uri: string) {
    return this.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } });
  }

  codeActions(uri: string, range: Range, diagnostics: Diagnostic[]) {
    return this.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range, context: { diagnostics } });
  }

  /** shutdown + exit; resolves with the process exit code. */
  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => this.process.once('exit', (code) => resolve(code)));
    await this.connection.sendRequest(ShutdownRequest.type);
    await this.connection.sendNotification(ExitNotification.type);
    const code = await exited;
    this.connection.dispose();
    return code;
  }

  kill(): void {
    this.connection.dispose();
    this.process.kill();
  }
}

/** Offset ↔ position on a text, for assertions written as offsets of substrings. */
export function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** The range of the `nth` occurrence of `needle` in `text`. */
export function rangeOf(text: string, needle: string, nth = 0): Range {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" (#${nth}) not in text`);
  }
  return { start: positionAt(text, at), end: positionAt(text, at + needle.length) };
}
