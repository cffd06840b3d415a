import * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions, type ServerOptions, TransportKind } from 'vscode-languageclient/node';

/** Which documents the MeRino language server handles. */
export const DESIGN_SELECTOR = [{ scheme: 'file', pattern: '**/*.merino.json' }];

let client: LanguageClient | undefined;

const isDesign = (doc: vscode.TextDocument) => doc.uri.scheme === 'file' && doc.uri.path.endsWith('.merino.json');

/**
 * Starts the language server (dist/server.js over IPC) the first time a `*.merino.json` document is open,
 * so that opening other JSON files never pays for it.
 */
export function registerLanguageClient(context: vscode.ExtensionContext): void {
  const startIfNeeded = (doc: vscode.TextDocument) => {
    if (!client && isDesign(doc)) void startClient(context);
  };
  vscode.workspace.textDocuments.forEach(startIfNeeded);
  context.subscriptions.push(vscode.workspace.onDidOpenTextDocument(startIfNeeded), { dispose: () => void client?.stop() });
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DESIGN_SELECTOR,
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.merino.json') },
  };
  client = new LanguageClient('merino', 'MeRino language server', serverOptions, clientOptions);
  await client.start();
}

/** The running client (tests wait on it). */
export function languageClient(): LanguageClient | undefined {
  return client;
}
