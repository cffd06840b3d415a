/**
 * `merino-language-server --stdio` (any LSP client) or `--node-ipc` (VS Code); also `--socket=N`
 * and `--pipe=NAME`, as vscode-languageserver reads them from the command line.
 */
import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { VERSION } from '../core/version';
import { startServer } from './server';

const TRANSPORTS = ['--stdio', '--node-ipc', '--socket=', '--pipe='];
const args = process.argv.slice(2);

if (args.includes('--version')) {
  process.stdout.write(`${VERSION}\n`);
} else if (args.includes('--help') || !args.some((a) => TRANSPORTS.some((t) => a.startsWith(t)))) {
  process.stderr.write(
    `merino-language-server ${VERSION}: language server for *.merino.json design files\n\n` +
      'Usage: merino-language-server --stdio | --node-ipc | --socket=PORT | --pipe=NAME\n\n' +
      'Initialization options: { "debounceMs": 150, "maxAnalysisChars": 1048576, "maxNestingDepth": 64 }\n' +
      'See docs/language-server.md for editor set-up.\n',
  );
  process.exitCode = args.includes('--help') ? 0 : 2;
} else {
  const connection = createConnection(ProposedFeatures.all);
  // A bug in one handler must not take the editor's diagnostics down with it.
  process.on('uncaughtException', (e) => connection.console.error(`uncaught: ${e.stack ?? e.message}`));
  process.on('unhandledRejection', (e) => connection.console.error(`unhandled rejection: ${String(e)}`));
  startServer(connection);
  connection.listen();
}
