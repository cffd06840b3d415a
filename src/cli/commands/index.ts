import type { Command } from '../command';

/** Every subcommand, in the order `merino --help` lists them. Add new commands here. */
export const commands: Command[] = [];
