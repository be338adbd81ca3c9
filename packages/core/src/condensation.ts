// Context condensation, the pure part: how long a chat request is by the gateway's estimate,
// which of its turns may go (oldest first) so it fits a model's context, and the prompt that
// asks a model to summarize the turns that went. The worker does the calling.
import { textOf, type CanonicalMessage, type ChatRequest, type ContentPart } from './canonical.ts';

export type CondensationStrategy = 'truncate' | 'summarize';
/** A request's own choice (`x-switchyard-condense`): a strategy, or `off` even where the model condenses. */
export type CondensationChoice = CondensationStrategy | 'off';
/** Longest summary asked for when the model's config names none. */
export const defaultSummaryMaxTokens = 512;
/** What `x-switchyard-condensed` and a job's `condensed` field say. */
export type CondensedAs = 'truncated' | 'summarized';

export const condensedAsByStrategy: Record<CondensationStrategy, CondensedAs> = { truncate: 'truncated', summarize: 'summarized' };

/** Characters per token of the gateway's estimate (as admission estimates a body). */
const charactersPerToken = 4;

function partCharacters(content: ContentPart[]): number {
  // Inline images say nothing about text tokens (admission skips them too).
  return textOf(content).length;
}

function messageCharacters(message: CanonicalMessage): number {
  if (message.role === 'system') return message.content.length;
  let characters = partCharacters(message.content);
  if (message.role === 'assistant') for (const call of message.toolCalls ?? []) characters += call.name.length + call.arguments.length;
  return characters;
}

/** The tokens `messages` take by the gateway's estimate (characters / 4, rounded up). */
export function estimateMessagesTokens(messages: readonly CanonicalMessage[]): number {
  let characters = 0;
  for (const message of messages) characters += messageCharacters(message);
  return Math.ceil(characters / charactersPerToken);
}

/** The context a chat request needs by the gateway's estimate: its messages and tools, plus the most it may produce. */
export function estimateChatRequestTokens(request: Pick<ChatRequest, 'messages' | 'tools' | 'maxTokens'>): number {
  const toolCharacters = (request.tools ?? []).reduce((sum, tool) => sum + JSON.stringify(tool).length, 0);
  return estimateMessagesTokens(request.messages) + Math.ceil(toolCharacters / charactersPerToken) + (request.maxTokens ?? 0);
}

/** Without the provider's numbers, a refused request is condensed to this share of its estimate. */
const defaultRefusedShare = 0.75;
/** At most this share even when the provider's numbers say more would fit: its count is not ours. */
const largestRefusedShare = 0.9;

/**
 * The share of a refused request's estimate to condense it to, from the numbers in the
 * provider's error (OpenAI: "maximum context length is 8192 tokens. However, your messages
 * resulted in 9000 tokens"; Anthropic: "prompt is too long: 210000 tokens > 200000 maximum").
 */
export function refusedRequestShare(providerMessage: string | undefined): number {
  const text = providerMessage ?? '';
  const openai = /maximum context length is (\d+)\D+?(\d+)/i.exec(text);
  const anthropic = /(\d+) tokens > (\d+) maximum/i.exec(text);
  const [limit, actual] = openai ? [Number(openai[1]), Number(openai[2])] : anthropic ? [Number(anthropic[2]), Number(anthropic[1])] : [0, 0];
  if (!(limit > 0 && actual > limit)) return defaultRefusedShare;
  return Math.min(largestRefusedShare, limit / actual);
}

/**
 * The conversation cut into units that are dropped whole: an assistant message with tool
 * calls together with the tool results that follow it, any other message alone. Each unit
 * lists the indexes of its messages.
 */
export function conversationUnits(messages: readonly CanonicalMessage[]): number[][] {
  const units: number[][] = [];
  messages.forEach((message, index) => {
    const previous = units.at(-1);
    const previousMessage = previous ? messages[previous[0]!] : undefined;
    const joinsToolCall = message.role === 'tool' && previousMessage?.role === 'assistant' && (previousMessage.toolCalls?.length ?? 0) > 0;
    if (joinsToolCall && previous?.at(-1) === index - 1) previous.push(index);
    else units.push([index]);
  });
  return units;
}

/**
 * The units that may be dropped, oldest first: every unit but the system messages, the last
 * user message and the conversation's final unit (the step the model answers now: the last
 * user message, or the latest tool call with its results).
 */
export function droppableUnits(messages: readonly CanonicalMessage[]): number[][] {
  const lastUser = messages.findLastIndex((message) => message.role === 'user');
  const units = conversationUnits(messages);
  const final = units.at(-1);
  return units.filter((unit) => unit !== final && !unit.some((index) => messages[index]!.role === 'system' || index === lastUser));
}

export type CondensationPlan = {
  /** The request's messages with the dropped ones left out (in their order). */
  kept: CanonicalMessage[];
  /** The dropped messages, oldest first. */
  dropped: CanonicalMessage[];
  /** Index in `kept` where the dropped messages were (where a summary goes). */
  droppedAt: number;
};

/**
 * Drops the oldest droppable units until `fits(kept)` holds. Undefined when nothing can be
 * dropped or even dropping every droppable unit does not fit: the request cannot be condensed.
 */
export function planCondensation(messages: readonly CanonicalMessage[], fits: (kept: CanonicalMessage[]) => boolean): CondensationPlan | undefined {
  const droppedIndexes = new Set<number>();
  for (const unit of droppableUnits(messages)) {
    for (const index of unit) droppedIndexes.add(index);
    const kept = messages.filter((_, index) => !droppedIndexes.has(index));
    if (fits(kept)) {
      const firstDropped = Math.min(...droppedIndexes);
      const droppedAt = messages.slice(0, firstDropped).filter((_, index) => !droppedIndexes.has(index)).length;
      return { kept, dropped: messages.filter((_, index) => droppedIndexes.has(index)), droppedAt };
    }
  }
  return undefined;
}

/** The request `planCondensation` makes, optionally with a summary message where the dropped turns were. */
export function condensedMessages(plan: CondensationPlan, summary?: string): CanonicalMessage[] {
  if (summary === undefined) return plan.kept;
  const summaryMessage: CanonicalMessage = { role: 'system', content: `${summaryMessagePrefix}\n${summary}` };
  return [...plan.kept.slice(0, plan.droppedAt), summaryMessage, ...plan.kept.slice(plan.droppedAt)];
}

/** How the summary message that replaces dropped turns begins. */
export const summaryMessagePrefix = 'Summary of the earlier part of this conversation (condensed by the gateway):';

const summaryInstructions =
  'You condense conversations. Summarize the conversation below so that it can replace it: keep the facts, decisions, ' +
  'names, numbers, open questions and the results of tool calls that later turns may need. Answer with the summary only.';

function transcriptLine(message: CanonicalMessage): string {
  switch (message.role) {
    case 'system':
      return `system: ${message.content}`;
    case 'user':
      return `user: ${textOf(message.content)}`;
    case 'assistant': {
      const calls = (message.toolCalls ?? []).map((call) => `\n[tool call ${call.name} ${call.arguments}]`).join('');
      return `assistant: ${textOf(message.content)}${calls}`;
    }
    case 'tool':
      return `tool result${message.isError ? ' (error)' : ''}: ${textOf(message.content)}`;
  }
}

/** The chat request that asks `model` for a summary of `dropped` in at most `maxTokens`. */
export function summaryRequest(dropped: readonly CanonicalMessage[], model: string, maxTokens: number): ChatRequest {
  return {
    model,
    maxTokens,
    messages: [
      { role: 'system', content: summaryInstructions },
      { role: 'user', content: [{ type: 'text', text: dropped.map(transcriptLine).join('\n\n') }] },
    ],
  };
}
