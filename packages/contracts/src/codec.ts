import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

/** A payload that does not match its contract. Retrying cannot help. */
export class ContractError extends Error {
  override readonly name = 'ContractError';
  readonly code = 'CONTRACT_VIOLATION';
  readonly retryable = false;
  constructor(
    readonly schema: string,
    readonly issues: string[],
    options?: { cause?: unknown },
  ) {
    super(`payload does not match ${schema}: ${issues.slice(0, 5).join('; ')}`, options);
  }
}

type Validator<T extends TSchema> = ReturnType<typeof Compile<T>>;
const compiled = new WeakMap<TSchema, Validator<TSchema>>();

export function validator<T extends TSchema>(schema: T): Validator<T> {
  let v = compiled.get(schema);
  if (!v) {
    v = Compile(schema);
    compiled.set(schema, v);
  }
  return v as Validator<T>;
}

function schemaName(schema: TSchema): string {
  const id = (schema as { $id?: unknown }).$id;
  return typeof id === 'string' ? id : 'schema';
}

/** The first few problems, as `path: message`. */
export function issuesOf(schema: TSchema, value: unknown): string[] {
  const out: string[] = [];
  for (const e of validator(schema).Errors(value)) {
    out.push(`${e.instancePath || '/'}: ${e.message}`);
    if (out.length >= 10) break;
  }
  return out;
}

/** Validate a value already parsed; throws ContractError naming what is wrong. */
export function check<T extends TSchema>(schema: T, value: unknown): Static<T> {
  if (validator(schema).Check(value)) return value;
  throw new ContractError(schemaName(schema), issuesOf(schema, value));
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Validates before encoding: a producer never puts an invalid event on the bus. */
export function encode<T extends TSchema>(schema: T, value: Static<T>): Uint8Array {
  check(schema, value);
  return encoder.encode(JSON.stringify(value));
}

export function decode<T extends TSchema>(schema: T, data: Uint8Array | string): Static<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof data === 'string' ? data : decoder.decode(data));
  } catch (cause) {
    throw new ContractError(schemaName(schema), ['not JSON'], { cause });
  }
  return check(schema, parsed);
}
