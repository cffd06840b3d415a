import type { Command } from '../command';
import { checkCommand } from './check';
import { evalCommand } from './eval';
import { estimateCommand } from './estimate';
import { exportCommand } from './export';
import { inspectCommand } from './inspect';
import { pruneCommand } from './prune';
import { compareCommand } from './compare';
import { demoCommand } from './demo';
import { searchCommand } from './search';
import { statsCommand } from './stats';

/** Every subcommand, in the order `merino --help` lists them. Add new commands here. */
export const commands: Command[] = [demoCommand, inspectCommand, pruneCommand, compareCommand, evalCommand, statsCommand, checkCommand, estimateCommand, searchCommand, exportCommand];
