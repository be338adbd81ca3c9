import type { SwitchyardConfig } from '@switchyard/config';

export type ProviderCounts = { total: number; healthy: number; degraded: number; unhealthy: number; disabled: number };
export type AlertCounts = { total: number; critical: number; warning: number; info: number };

/**
 * Configured providers by health: `healthy` up, `degraded` some model's breaker not closed,
 * `unhealthy` down (every breaker open) or without a live worker, `disabled` configured but
 * not enabled (no key, or `enabled: false`).
 */
export function providerCounts(config: SwitchyardConfig, statuses: Record<string, { status: string }>): ProviderCounts {
  const counts = { total: 0, healthy: 0, degraded: 0, unhealthy: 0, disabled: 0 };
  for (const name of Object.keys(config.providers)) {
    counts.total += 1;
    const status = statuses[name]?.status;
    if (status === undefined) counts.disabled += 1;
    else if (status === 'up') counts.healthy += 1;
    else if (status === 'degraded') counts.degraded += 1;
    else counts.unhealthy += 1;
  }
  return counts;
}

/**
 * 0-100: up to 70 points for the enabled providers (a healthy one counts fully, a degraded
 * one half, an unhealthy one nothing; none enabled gives 0) plus 30 points less 15 per
 * critical, 5 per warning and 1 per info alert firing (never below 0). Alerts unknown
 * (Postgres unreachable) take the 30 points away. Rounded to an integer.
 */
export function healthScore(providers: ProviderCounts, alerts: AlertCounts | null): number {
  const enabled = providers.total - providers.disabled;
  const providerPoints = enabled === 0 ? 0 : (70 * (providers.healthy + providers.degraded / 2)) / enabled;
  const alertPoints = alerts === null ? 0 : Math.max(0, 30 - 15 * alerts.critical - 5 * alerts.warning - alerts.info);
  return Math.round(Math.min(100, Math.max(0, providerPoints + alertPoints)));
}
