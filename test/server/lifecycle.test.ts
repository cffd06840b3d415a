// The server process over both transports: stdio (any editor) and node IPC (VS Code), handshake and clean exit.
import assert from 'node:assert/strict';
import { fork, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import {
  ExitNotification, IPCMessageReader, IPCMessageWriter, InitializeRequest, ShutdownRequest, TextDocumentSyncKind, createProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { LspClient, ROOT, SERVER } from './lsp-client';

test('stdio: initialize announces every feature, shutdown + exit ends the process with code 0', async () => {
  const client = await LspClient.start();
  const { capabilities, serverInfo } = client.initialized;
  assert.equal(serverInfo?.name, 'merino-language-server');
  assert.equal(capabilities.textDocumentSync, TextDocumentSyncKind.Incremental);
  assert.equal(capabilities.hoverProvider, true);
  assert.ok(capabilities.completionProvider);
  assert.deepEqual(capabilities.codeLensProvider, { resolveProvider: false });
  assert.deepEqual(capabilities.codeActionProvider, { codeActionKinds: ['quickfix'] });
  assert.equal(await client.stop(), 0);
});

test('node IPC (how VS Code starts it): initialize and exit', async () => {
  const child = fork(SERVER, ['--node-ipc'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const connection = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  connection.listen();
  const result = await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {} });
  assert.equal(result.serverInfo?.name, 'merino-language-server');
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await connection.sendRequest(ShutdownRequest.type);
  await connection.sendNotification(ExitNotification.type);
  assert.equal(await exited, 0);
  connection.dispose();
});

test('without a transport argument the server prints its usage and exits with 2', () => {
  const r = spawnSync(process.execPath, [SERVER], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /Usage: merino-language-server --stdio \| --node-ipc/);
});
