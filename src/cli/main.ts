import { parseArgs } from 'node:util';
import { CancelledError, UserError } from '../core/errors';
import { VERSION } from '../core/version';
import type { CliIO } from './command';
import { commands } from './commands/index';

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [`merino ${VERSION}: N:M pruning (E-Sparse, Wanda, magnitude) and MeRino LM design`, '', 'Usage: merino <command> [options]', '', ...lines, '', 'merino <command> --help shows the options of a command. --debug prints stack traces.'].join('\n');
}

/** Runs the CLI and returns the exit code. Exported so tests can call it in-process. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const debug = argv.includes('--debug');
  argv = argv.filter((a) => a !== '--debug');
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(help() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version') {
    io.out(`${VERSION}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`merino: unknown command "${name}"\n\n${help()}\n`);
    return 2;
  }
  try {
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(`${command.usage}\n`);
      return 0;
    }
    const parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
    return await command.run({ positionals: parsed.positionals, values: parsed.values }, io);
  } catch (e) {
    if (e instanceof CancelledError) {
      io.err('merino: cancelled\n');
      return 130;
    }
    const err = e as Error & { code?: string };
    if (debug) io.err(`${err.stack ?? err}\n`);
    else if (e instanceof UserError || err.code?.startsWith('ERR_PARSE_ARGS')) io.err(`merino ${name}: ${err.message}\n`);
    else io.err(`merino ${name}: internal error: ${err.message} (run with --debug for the stack trace)\n`);
    return 1;
  }
}

if (require.main === module) {
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort());
  const io: CliIO = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY),
    signal: controller.signal,
  };
  main(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
