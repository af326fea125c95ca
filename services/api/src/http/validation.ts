import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

const INTEGER = /^-?\d{1,15}$/;
const NUMBER = /^-?\d{1,15}(\.\d{1,15})?$/;

interface PropertySchema {
  type?: unknown;
}

/**
 * Query strings, path parameters and headers arrive as strings. Only a plain decimal
 * becomes a number and only `true`/`false` a boolean: "1.5" is not an integer, "" is not
 * 0 and "0x10" is not 16 (a general converter would take all three), so a sloppy
 * parameter gets a 400 instead of a surprising answer.
 */
export function coerceStrings(schema: TSchema, value: unknown): unknown {
  const props = (schema as { properties?: Record<string, PropertySchema> }).properties;
  if (!props || typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [key, v] of Object.entries(out)) {
    if (typeof v !== 'string') continue;
    const type = props[key]?.type;
    if (type === 'integer' && INTEGER.test(v)) out[key] = Number(v);
    else if (type === 'number' && NUMBER.test(v)) out[key] = Number(v);
    else if (type === 'boolean' && (v === 'true' || v === 'false')) out[key] = v === 'true';
  }
  return out;
}

/** TypeBox's compiled checker for every part of a request; strings coerced strictly outside the body. */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = Compile(schema);
  return (value: unknown) => {
    const converted = httpPart === 'body' ? value : coerceStrings(schema, value);
    if (check.Check(converted)) return { value: converted };
    return { error: [...check.Errors(converted)] as never };
  };
};
