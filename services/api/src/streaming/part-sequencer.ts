// Puts stream parts back in order whatever delivered them: live pub/sub (at most once),
// reads of the Redis stream (overlapping what was already seen), or both at once.
import type { StreamMessage, StreamPart } from '@switchyard/core';

export type SequencedPart = { seq: number; part: StreamPart };

export type PartSequencer = {
  /** Adds a batch; parts already accepted are dropped, parts past a missing one are held. */
  add(message: Pick<StreamMessage, 'seq' | 'parts' | 'model'>): void;
  /** The parts that became next in order since the last take. */
  take(): SequencedPart[];
  /** Sequence number of the last part accepted in order. */
  readonly accepted: number;
  /** Parts held beyond a missing one (a gap to fill from the stream). */
  readonly held: number;
  /** Highest sequence number seen, in order or not. */
  readonly highestSeen: number;
  /** Catalog model of the stream, from the batch that carried part 1. */
  readonly model: string | undefined;
};

export function createPartSequencer(): PartSequencer {
  let next = 1;
  let highestSeen = 0;
  let model: string | undefined;
  let ready: SequencedPart[] = [];
  const held = new Map<number, StreamPart>();

  return {
    add(message) {
      if (message.seq === 1 && message.model !== undefined) model ??= message.model;
      let seq = message.seq;
      for (const part of message.parts) {
        if (seq === next) {
          ready.push({ seq, part });
          if (held.size > 0) held.delete(seq);
          next++;
        } else if (seq > next) {
          held.set(seq, part);
        }
        seq++;
      }
      highestSeen = Math.max(highestSeen, seq - 1);
      while (held.size > 0) {
        const part = held.get(next);
        if (part === undefined) break;
        held.delete(next);
        ready.push({ seq: next, part });
        next++;
      }
    },
    take() {
      const taken = ready;
      ready = [];
      return taken;
    },
    get accepted() {
      return next - 1;
    },
    get held() {
      return held.size;
    },
    get highestSeen() {
      return highestSeen;
    },
    get model() {
      return model;
    },
  };
}
