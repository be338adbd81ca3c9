// Small JSON helpers shared by both dialects.

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Tool arguments arrive as JSON text that models sometimes get wrong; Anthropic needs an
 * object, so anything that is not a JSON object becomes `{}` rather than a failed request.
 */
export function parseJsonObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : {};
  } catch {
    return {};
  }
}
