// The keys a strict object in the config schema accepts, found by walking the schema along
// an issue's path, so that an unknown key can be answered with the nearest known one.
import type { z } from 'zod';

type SchemaDefinition = { type: string; shape?: Record<string, z.ZodType>; valueType?: z.ZodType; innerType?: z.ZodType; in?: z.ZodType };

const definitionOf = (schema: z.ZodType): SchemaDefinition => (schema as unknown as { _zod: { def: SchemaDefinition } })._zod.def;

/** Looks through defaults, optionals and pipes to the schema that holds the value. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const definition = definitionOf(current);
    const inner = definition.innerType ?? (definition.type === 'pipe' ? definition.in : undefined);
    if (!inner) return current;
    current = inner;
  }
}

export function knownKeysAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  let current: z.ZodType | undefined = unwrap(schema);
  for (const segment of path) {
    const definition = definitionOf(current);
    if (definition.type === 'object') current = definition.shape?.[String(segment)];
    else if (definition.type === 'record') current = definition.valueType;
    else return [];
    if (!current) return [];
    current = unwrap(current);
  }
  const definition = definitionOf(current);
  return definition.type === 'object' ? Object.keys(definition.shape ?? {}) : [];
}
