import type { FinishReason } from '@switchyard/core';

export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'tool_use' | 'stop_sequence' | 'refusal';

export function fromAnthropicStopReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'other';
  }
}

/** A bare `stop` is `end_turn`; `toAnthropicStop` also knows the stop sequence that may have ended it. */
export function toAnthropicStopReason(reason: FinishReason): AnthropicStopReason {
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    case 'stop':
    case 'error':
    case 'other':
      return 'end_turn';
  }
}

/** The `stop_reason` and `stop_sequence` fields of a message that finished so. */
export function toAnthropicStop(finish: { finishReason: FinishReason; stopSequence?: string }): {
  stop_reason: AnthropicStopReason;
  stop_sequence: string | null;
} {
  const stopSequence = finish.finishReason === 'stop' ? finish.stopSequence : undefined;
  if (stopSequence === undefined) return { stop_reason: toAnthropicStopReason(finish.finishReason), stop_sequence: null };
  return { stop_reason: 'stop_sequence', stop_sequence: stopSequence };
}

/** The stop sequence Anthropic names, only when it is what ended the answer. */
export function fromAnthropicStopSequence(reason: string | null | undefined, sequence: string | null | undefined): string | undefined {
  return reason === 'stop_sequence' && typeof sequence === 'string' ? sequence : undefined;
}
