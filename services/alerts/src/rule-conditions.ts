import type { AlertCondition } from '@switchyard/db';

const conditionAliases: Record<string, AlertCondition> = { '>': '>', '>=': '>=', '<': '<', '<=': '<=', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/** Every spelling a rule's condition may be given in: `>`, `>=`, `<`, `<=`, or `gt`, `gte`, `lt`, `lte`. */
export const conditionSpellings = Object.keys(conditionAliases);

/** The stored form of a condition (`gte` -> `>=`); undefined for anything else. */
export const normalizeCondition = (spelling: string): AlertCondition | undefined =>
  Object.hasOwn(conditionAliases, spelling) ? conditionAliases[spelling] : undefined;

/** Whether `value` breaches `condition threshold`. */
export function breaches(value: number, condition: AlertCondition, threshold: number): boolean {
  switch (condition) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
  }
}
