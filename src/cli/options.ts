import { UserError } from '../core/errors';
import type { ParsedArgs } from './command';

/** Reads an optional string option. */
export function stringOpt(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** Reads a required string option or fails with a message naming it. */
export function requiredOpt(args: ParsedArgs, name: string, what: string): string {
  const v = stringOpt(args, name);
  if (v === undefined) throw new UserError(`missing --${name}`, `give ${what}`);
  return v;
}

/** Reads an optional integer option within [min, max]. */
export function intOpt(args: ParsedArgs, name: string, min = 1, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = stringOpt(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UserError(`--${name} must be an integer in [${min}, ${max}], got "${v}"`);
  }
  return n;
}

/** Reads an optional finite number option. */
export function numberOpt(args: ParsedArgs, name: string): number | undefined {
  const v = stringOpt(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UserError(`--${name} must be a number, got "${v}"`);
  return n;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** The one positional argument a command needs (e.g. MODEL). */
export function positional(args: ParsedArgs, what: string): string {
  const [first, ...rest] = args.positionals;
  if (first === undefined) throw new UserError(`missing ${what}`);
  if (rest.length) throw new UserError(`unexpected arguments: ${rest.join(' ')}`);
  return first;
}
