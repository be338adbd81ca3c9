import { GatewayError } from '@switchyard/core';
import { z } from 'zod';

const timingSchema = z.object({
  latencyMs: z.number().nonnegative().optional(),
  tokenDelayMs: z.number().nonnegative().optional(),
});

export type MockTiming = { latencyMs: number; tokenDelayMs: number };

/** The model's options win over the provider's. */
export function mockTiming(providerOptions: Record<string, unknown>, modelOptions: Record<string, unknown> | undefined): MockTiming {
  const provider = timingSchema.safeParse(providerOptions);
  const model = timingSchema.safeParse(modelOptions ?? {});
  const pick = (key: keyof MockTiming) => (model.success ? model.data[key] : undefined) ?? (provider.success ? provider.data[key] : undefined) ?? 0;
  return { latencyMs: pick('latencyMs'), tokenDelayMs: pick('tokenDelayMs') };
}

export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new GatewayError('cancelled', 'request cancelled');
}

/** Waits, and throws `cancelled` as soon as the signal aborts. */
export function delay(milliseconds: number, signal: AbortSignal): Promise<void> {
  throwIfCancelled(signal);
  if (milliseconds <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new GatewayError('cancelled', 'request cancelled'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
