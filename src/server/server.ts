/**
 * The MeRino language server: wires documents, debounced diagnostics, hover, completion, code
 * lenses and quick fixes onto an LSP connection (any transport). Every request is guarded: it
 * answers RequestCancelled when the client cancelled it, and an unexpected error gives an empty
 * answer and a log line rather than a dead server.
 */
import type { LanguageService } from 'vscode-json-languageservice';
import {
  type CancellationToken, CodeActionKind, type Connection, type Diagnostic, type InitializeResult, LSPErrorCodes, ResponseError, TextDocumentSyncKind, TextDocuments,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { VERSION } from '../core/version';
import { type Analysis, AnalysisStore } from './analysis-store';
import { quickFixes } from './code-actions';
import { designLenses } from './code-lenses';
import { deviceCompletions, orderDevices } from './completion';
import { computeDiagnostics } from './diagnostics';
import { DiagnosticsScheduler } from './diagnostics-scheduler';
import { computeHover } from './hover';
import { createJsonService } from './json-service';
import { type ServerSettings, readServerSettings } from './settings';

interface Session {
  settings: ServerSettings;
  service: LanguageService;
  store: AnalysisStore;
  scheduler: DiagnosticsScheduler;
}

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  /** What the client was last told, per document (quick fixes for clients that drop Diagnostic.data). */
  const published = new Map<string, Diagnostic[]>();
  let session: Session | undefined;

  const log = (what: string, e: unknown) => connection.console.error(`${what}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);

  async function publish(uri: string): Promise<void> {
    const doc = documents.get(uri);
    if (!doc || !session) return;
    try {
      const diagnostics = await computeDiagnostics(doc, session.store.get(doc), session.service);
      if (documents.get(uri)?.version !== doc.version) return; // changed or closed meanwhile
      published.set(uri, diagnostics);
      await connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
    } catch (e) {
      log(`diagnostics of ${uri}`, e);
    }
  }

  connection.onInitialize((params): InitializeResult => {
    const settings = readServerSettings(params.initializationOptions);
    const service = createJsonService([deviceCompletions((uri) => devicesOf(uri))]);
    session = { settings, service, store: new AnalysisStore(service, settings), scheduler: new DiagnosticsScheduler(settings.debounceMs, publish) };
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['"', ':'] },
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: 'merino-language-server', version: VERSION },
    };
  });

  function devicesOf(uri: string) {
    const doc = documents.get(uri);
    const analysis = doc && session?.store.get(doc);
    return analysis?.merino && !analysis.merino.invalid.has('devices') ? analysis.merino.config.devices : {};
  }

  /** Runs a document request with cancellation and error handling. */
  function guarded<P extends { textDocument: { uri: string } }, R>(
    empty: R,
    handler: (doc: TextDocument, analysis: Analysis, params: P, s: Session) => R | PromiseLike<R>,
  ): (params: P, token: CancellationToken) => Promise<R> {
    return async (params, token) => {
      // Yield once: a $/cancelRequest already on the wire is read before any work starts.
      await new Promise((resolve) => setImmediate(resolve));
      throwIfCancelled(token);
      const doc = documents.get(params.textDocument.uri);
      if (!doc || !session) return empty;
      try {
        const result = await handler(doc, session.store.get(doc), params, session);
        throwIfCancelled(token);
        return result;
      } catch (e) {
        if (e instanceof ResponseError) throw e;
        log(`request on ${params.textDocument.uri}`, e);
        return empty;
      }
    };
  }

  connection.onHover(guarded(null, (doc, analysis, p, s) => computeHover(doc, p.position, analysis, s.service)));
  connection.onCompletion(
    guarded(null, async (doc, analysis, p, s) => (analysis.blocked || analysis.bounded ? null : orderDevices(await s.service.doComplete(doc, p.position, analysis.json), devicesOf(doc.uri)))),
  );
  connection.onCodeLens(guarded([], (doc) => designLenses(doc.uri)));
  connection.onCodeAction(guarded([], (doc, analysis, p) => (analysis.blocked ? [] : quickFixes(doc, analysis.json, p.context.diagnostics, published.get(doc.uri)))));

  documents.onDidChangeContent(({ document }) => session?.scheduler.schedule(document.uri));
  documents.onDidClose(({ document }) => {
    session?.scheduler.cancel(document.uri);
    session?.store.forget(document.uri);
    published.delete(document.uri);
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
  });
  connection.onShutdown(() => session?.scheduler.dispose());

  documents.listen(connection);
}

function throwIfCancelled(token: CancellationToken): void {
  if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'The request was cancelled.');
}
