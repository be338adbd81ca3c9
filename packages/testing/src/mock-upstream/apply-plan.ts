import type { CallPlan, StatusFailure } from './call-plan.ts';
import type { MockExchange } from './mock-server.ts';
import { sleep, untilAborted } from './wire.ts';

/**
 * Waits the planned latency and acts out the failures every dialect shares (stall, error
 * status). Returns true when the dialect should go on and answer (garbage and cut
 * streams are the dialect's to shape).
 */
export async function applyPlan(exchange: MockExchange, plan: CallPlan, writeError: (failure: StatusFailure) => void): Promise<boolean> {
  await sleep(plan.latencyMs, exchange.signal);
  if (exchange.signal.aborted) return false;
  if (plan.failure?.kind === 'stall') {
    await untilAborted(exchange.signal);
    return false;
  }
  if (plan.failure?.kind === 'status') {
    writeError(plan.failure);
    return false;
  }
  return true;
}
