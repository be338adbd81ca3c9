// The tokens a request is charged at admission, before anyone knows its real usage:
// roughly characters / 4 of its text, plus the most it may produce (`max_tokens`).
// Every answer settles its charge against the real usage once known (AdmissionTicket.settle).

const outputLimitFields = ['max_tokens', 'max_completion_tokens', 'max_output_tokens'] as const;
// Inline images and audio are base64: their characters say nothing about text tokens.
const binaryFields = new Set(['data', 'image_url', 'b64_json', 'input_audio']);

export function estimateTokens(body: unknown): number {
  return Math.ceil(countTextCharacters(body) / 4) + outputLimit(body);
}

function outputLimit(body: unknown): number {
  if (!isRecord(body)) return 0;
  for (const field of outputLimitFields) {
    const value = body[field];
    if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  }
  return 0;
}

function countTextCharacters(value: unknown): number {
  if (typeof value === 'string') return value.startsWith('data:') ? 0 : value.length;
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + countTextCharacters(item), 0);
  if (!isRecord(value)) return 0;
  let characters = 0;
  for (const [key, item] of Object.entries(value)) if (!binaryFields.has(key)) characters += countTextCharacters(item);
  return characters;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
