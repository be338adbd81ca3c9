import { describe, expect, it } from 'vitest';
import type { CanonicalMessage } from './canonical.ts';
import {
  condensedMessages,
  conversationUnits,
  droppableUnits,
  estimateChatRequestTokens,
  planCondensation,
  refusedRequestShare,
  summaryMessagePrefix,
  summaryRequest,
} from './condensation.ts';

const text = (value: string) => [{ type: 'text' as const, text: value }];
const system: CanonicalMessage = { role: 'system', content: 'be brief' };
const user = (value: string): CanonicalMessage => ({ role: 'user', content: text(value) });
const assistant = (value: string): CanonicalMessage => ({ role: 'assistant', content: text(value) });
const toolCall: CanonicalMessage = { role: 'assistant', content: [], toolCalls: [{ id: 'c1', name: 'lookup', arguments: '{"q":1}' }] };
const toolResult = (value: string): CanonicalMessage => ({ role: 'tool', toolCallId: 'c1', content: text(value) });

const conversation: CanonicalMessage[] = [system, user('q1'), toolCall, toolResult('r1'), toolResult('r2'), assistant('a1'), user('q2')];

describe('estimateChatRequestTokens', () => {
  it('counts characters / 4 of text, tool calls and tools, plus the most the answer may take', () => {
    expect(estimateChatRequestTokens({ messages: [user('x'.repeat(10))] })).toBe(3);
    expect(estimateChatRequestTokens({ messages: [toolCall] })).toBe(4);
    expect(estimateChatRequestTokens({ messages: [user('x'.repeat(8))], maxTokens: 100 })).toBe(102);
    expect(estimateChatRequestTokens({ messages: [], tools: [{ name: 'f', parameters: {} }] })).toBe(
      Math.ceil(JSON.stringify({ name: 'f', parameters: {} }).length / 4),
    );
  });
});

describe('conversationUnits and droppableUnits', () => {
  it('keeps an assistant tool call together with the tool results that follow it', () => {
    expect(conversationUnits(conversation)).toEqual([[0], [1], [2, 3, 4], [5], [6]]);
  });

  it('never offers the system messages, the last user message or the final step', () => {
    expect(droppableUnits(conversation)).toEqual([[1], [2, 3, 4], [5]]);
    // An agent loop: the last user message comes first, the final tool step is what the model answers now.
    const agent = [system, user('task'), toolCall, toolResult('r1'), { ...toolCall }, toolResult('r2')];
    expect(droppableUnits(agent)).toEqual([[2, 3]]);
  });

  it('treats a tool result without its call as a unit of its own', () => {
    expect(conversationUnits([user('q'), toolResult('orphan'), user('q2')])).toEqual([[0], [1], [2]]);
  });
});

describe('planCondensation', () => {
  const fitsIn = (count: number) => (kept: CanonicalMessage[]) => kept.length <= count;

  it('drops the oldest units until the request fits', () => {
    const plan = planCondensation(conversation, fitsIn(4))!;
    expect(plan.kept).toEqual([system, assistant('a1'), user('q2')]);
    expect(plan.dropped).toEqual([user('q1'), toolCall, toolResult('r1'), toolResult('r2')]);
    expect(plan.droppedAt).toBe(1);
  });

  it('drops nothing more than needed', () => {
    expect(planCondensation(conversation, fitsIn(6))!.dropped).toEqual([user('q1')]);
  });

  it('gives up when even the system messages and the last user message alone do not fit', () => {
    expect(planCondensation(conversation, fitsIn(1))).toBeUndefined();
    expect(planCondensation([system, user('only')], () => true)).toBeUndefined();
  });

  it('puts the summary where the dropped turns were', () => {
    const plan = planCondensation(conversation, fitsIn(4))!;
    expect(condensedMessages(plan)).toEqual(plan.kept);
    expect(condensedMessages(plan, 'they talked')).toEqual([
      system,
      { role: 'system', content: `${summaryMessagePrefix}\nthey talked` },
      assistant('a1'),
      user('q2'),
    ]);
  });
});

describe('summaryRequest', () => {
  it('asks the model for a summary of a transcript of the dropped turns, within the token limit', () => {
    const request = summaryRequest([user('q1'), toolCall, toolResult('r1')], 'summarizer-1', 64);
    expect(request).toMatchObject({ model: 'summarizer-1', maxTokens: 64 });
    expect(request.messages[0]!.role).toBe('system');
    const transcript = request.messages[1]!;
    expect(transcript.role).toBe('user');
    expect(transcript.role === 'user' && transcript.content[0]).toEqual({
      type: 'text',
      text: 'user: q1\n\nassistant: \n[tool call lookup {"q":1}]\n\ntool result: r1',
    });
  });
});

describe('refusedRequestShare', () => {
  it("reads the provider's limit and count", () => {
    expect(refusedRequestShare("This model's maximum context length is 8000 tokens. However, your messages resulted in 10000 tokens.")).toBe(0.8);
    expect(refusedRequestShare('prompt is too long: 250000 tokens > 200000 maximum')).toBe(0.8);
  });

  it('falls back to 3/4 without numbers, and never aims above 90%', () => {
    expect(refusedRequestShare('prompt is too long')).toBe(0.75);
    expect(refusedRequestShare(undefined)).toBe(0.75);
    expect(refusedRequestShare('maximum context length is 9990 tokens, you sent 10000 tokens')).toBe(0.9);
  });
});
