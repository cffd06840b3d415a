/**
 * Validates a jsonc-parser tree against the subset of JSON Schema draft-07 that
 * schemas/merino.schema.json uses, with vscode-json-languageservice's wording so the CLI and the
 * editor say the same thing. Work is bounded: arrays are checked up to `maxItems` + 1 elements and
 * at most `limit` problems are reported.
 */
import { type Node, getNodePath, getNodeValue } from 'jsonc-parser';
import type { MerinoDiagnostic } from './diagnostic';

export interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  anyOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  propertyNames?: Schema;
  maxProperties?: number;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  pattern?: string;
  patternErrorMessage?: string;
  maxLength?: number;
  definitions?: Record<string, Schema>;
  default?: unknown;
  [other: string]: unknown;
}

const ARRAY_CHECK_LIMIT = 1024;

class Validator {
  readonly out: MerinoDiagnostic[] = [];
  private readonly patterns = new Map<string, RegExp>();
  constructor(private readonly root: Schema, private readonly limit: number) {}

  report(node: Node, message: string, range = { start: node.offset, end: node.offset + node.length }): void {
    if (this.out.length < this.limit) this.out.push({ path: getNodePath(node), range, severity: 'error', code: 'schema', message });
  }

  resolve(s: Schema): Schema {
    for (let i = 0; s.$ref && i < 8; i++) s = this.root.definitions?.[s.$ref.replace('#/definitions/', '')] ?? {};
    return s;
  }

  check(node: Node, schema: Schema): void {
    if (this.out.length >= this.limit) return;
    const s = this.resolve(schema);
    if (s.anyOf) return this.checkAnyOf(node, s.anyOf);
    if (s.type && !typeMatches(node, s.type)) return this.report(node, `Incorrect type. Expected "${[s.type].flat().join('", "')}".`);
    if (s.enum && !s.enum.includes(getNodeValue(node))) {
      return this.report(node, `Value is not accepted. Valid values: ${s.enum.map((v) => JSON.stringify(v)).join(', ')}.`);
    }
    if (node.type === 'number') this.checkNumber(node, s);
    else if (node.type === 'string') this.checkString(node, s);
    else if (node.type === 'array') this.checkArray(node, s);
    else if (node.type === 'object') this.checkObject(node, s);
  }

  /** Valid if one alternative is; otherwise the problems of the alternative whose type fits. */
  private checkAnyOf(node: Node, alternatives: Schema[]): void {
    const fitting = alternatives.map((a) => this.resolve(a)).filter((a) => !a.type || typeMatches(node, a.type));
    if (fitting.length === 0) {
      const types = alternatives.map((a) => this.resolve(a).type).flat().filter(Boolean);
      return this.report(node, `Incorrect type. Expected one of ${types.join(', ')}.`);
    }
    const trials = fitting.map((a) => {
      const v = new Validator(this.root, this.limit - this.out.length);
      v.check(node, a);
      return v.out;
    });
    if (trials.some((t) => t.length === 0)) return;
    this.out.push(...trials[0]);
  }

  private checkNumber(node: Node, s: Schema): void {
    const v = node.value as number;
    if (!Number.isFinite(v)) return this.report(node, 'Number is too large.');
    if (s.minimum !== undefined && v < s.minimum) this.report(node, `Value is below the minimum of ${s.minimum}.`);
    if (s.exclusiveMinimum !== undefined && v <= s.exclusiveMinimum) this.report(node, `Value is below the exclusive minimum of ${s.exclusiveMinimum}.`);
    if (s.maximum !== undefined && v > s.maximum) this.report(node, `Value is above the maximum of ${s.maximum}.`);
  }

  private checkString(node: Node, s: Schema): void {
    const v = node.value as string;
    if (s.maxLength !== undefined && v.length > s.maxLength) this.report(node, `String is longer than the maximum length of ${s.maxLength}.`);
    if (s.pattern && !this.regex(s.pattern).test(v)) this.report(node, s.patternErrorMessage ?? `String does not match the pattern of "${s.pattern}".`);
  }

  private checkArray(node: Node, s: Schema): void {
    const items = node.children ?? [];
    if (s.minItems !== undefined && items.length < s.minItems) this.report(node, `Array has too few items. Expected ${s.minItems} or more.`);
    if (s.maxItems !== undefined && items.length > s.maxItems) this.report(node, `Array has too many items. Expected ${s.maxItems} or fewer.`);
    const checked = items.slice(0, Math.min(ARRAY_CHECK_LIMIT, (s.maxItems ?? ARRAY_CHECK_LIMIT) + 1));
    if (s.items) for (const item of checked) this.check(item, s.items);
    if (s.uniqueItems) {
      const seen = new Set(checked.map((c) => JSON.stringify(getNodeValue(c))));
      if (seen.size < checked.length) this.report(node, 'Array has duplicate items.');
    }
  }

  private checkObject(node: Node, s: Schema): void {
    const props = node.children ?? [];
    const names = new Set<string>();
    if (s.maxProperties !== undefined && props.length > s.maxProperties) this.report(node, `Object has more properties than limit of ${s.maxProperties}.`);
    for (const prop of props.slice(0, ARRAY_CHECK_LIMIT)) {
      const [key, value] = prop.children ?? [];
      if (!key) continue;
      const name = key.value as string;
      names.add(name);
      const keyRange = { start: key.offset, end: key.offset + key.length };
      if (s.propertyNames?.pattern && !this.regex(s.propertyNames.pattern).test(name)) {
        this.report(key, s.propertyNames.patternErrorMessage ?? `String does not match the pattern of "${s.propertyNames.pattern}".`, keyRange);
      }
      const sub = s.properties?.[name] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      if (sub && value) this.check(value, sub);
      else if (!sub && s.additionalProperties === false) this.report(key, `Property ${name} is not allowed.`, keyRange);
    }
    for (const r of s.required ?? []) {
      if (!names.has(r)) this.report(node, `Missing property "${r}".`, { start: node.offset, end: node.offset + 1 });
    }
  }

  private regex(p: string): RegExp {
    let r = this.patterns.get(p);
    if (!r) this.patterns.set(p, (r = new RegExp(p, 'u')));
    return r;
  }
}

function typeMatches(node: Node, type: string | string[]): boolean {
  const types = [type].flat();
  const t = node.type;
  if (t === 'number') return types.includes('number') || (types.includes('integer') && Number.isInteger(node.value));
  return types.includes(t);
}

/** Schema problems of a parsed document, at most `limit`. */
export function validateSchema(root: Node, schema: Schema, limit = 100): MerinoDiagnostic[] {
  const v = new Validator(schema, limit);
  v.check(root, schema);
  return v.out;
}
