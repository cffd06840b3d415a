import { formatDiagnostic } from '../../core/config/diagnostic';
import { readDesignFile } from '../../core/config/design-file';
import { UserError } from '../../core/errors';
import type { Command } from '../command';
import { flag } from '../options';

export const checkCommand: Command = {
  name: 'check',
  summary: 'check *.merino.json design files (schema, contradictions, feasibility)',
  usage: [
    'Usage: merino check FILE.merino.json [FILE ...] [--json]',
    '',
    'Prints every problem as file:line:col: severity: message [code] (codes: docs/merino-format.md).',
    'Exit status 1 when a file has errors, 0 otherwise (warnings and infos do not fail).',
    '',
    '  --json    print [{ file, diagnostics: [{ path, range, line, column, severity, code, message, data }] }]',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  async run(args, io) {
    if (args.positionals.length === 0) throw new UserError('missing FILE.merino.json');
    let errors = 0;
    const report = [];
    for (const path of args.positionals) {
      const f = await readDesignFile(path);
      errors += f.diagnostics.filter((d) => d.severity === 'error').length;
      if (flag(args, 'json')) report.push({ file: path, diagnostics: f.diagnostics });
      else for (const d of f.diagnostics) io.out(formatDiagnostic(path, f.doc.text, d) + '\n');
    }
    if (flag(args, 'json')) io.out(JSON.stringify(report, null, 2) + '\n');
    else if (errors === 0) io.err(`merino check: ${args.positionals.length} file(s) OK\n`);
    return errors ? 1 : 0;
  },
};
