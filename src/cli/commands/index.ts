import type { Command } from '../command';
import { evalCommand } from './eval';
import { inspectCommand } from './inspect';
import { statsCommand } from './stats';

/** Every subcommand, in the order `merino --help` lists them. Add new commands here. */
export const commands: Command[] = [inspectCommand, evalCommand, statsCommand];
