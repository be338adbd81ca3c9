// Self time of a V8 .cpuprofile grouped by stage: by package (third-party, Node internals,
// GC, idle, Switchyard as one) and, for Switchyard's own code, by package or service directory.

/** The parts of a .cpuprofile (Chrome DevTools format, as `node --cpu-prof` writes it) read here. */
export type CpuProfile = {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string } }>;
  /** Node id of each sample. */
  samples: number[];
  /** Microseconds before each sample. */
  timeDeltas: number[];
};

export type StageTotals = { byPackage: Record<string, number>; bySwitchyardDir: Record<string, number>; totalMs: number; idleMs: number };

export const switchyardGroup = 'switchyard (own code)';

// Third-party packages that are one stage together.
const packageStages: Array<[RegExp, string]> = [
  [/^bullmq$/, 'bullmq'],
  [/^(ioredis|@ioredis\/.*|redis-parser|cluster-key-slot|denque|standard-as-callback)$/, 'ioredis'],
  [
    /^(express|router|path-to-regexp|finalhandler|send|serve-static|on-finished|type-is|accepts|content-type|mime-types|proxy-addr|fresh|etag)$/,
    'express/router',
  ],
  [/^(body-parser|raw-body|iconv-lite|bytes)$/, 'body-parser/raw-body'],
  [/^zod$/, 'zod'],
  [/^(pino|pino-.*|sonic-boom|thread-stream|fast-redact|quick-format-unescaped|on-exit-leak-free|atomic-sleep)$/, 'pino'],
  [/^undici$/, 'undici'],
  [/^(pg|pg-.*|postgres-.*|@electric-sql\/pglite.*|kysely)$/, 'pg/pglite/kysely'],
];

/** The package a file under node_modules belongs to (the last node_modules/ in the path, scopes kept). */
export function packageOf(url: string): string | undefined {
  const at = url.lastIndexOf('/node_modules/');
  if (at === -1) return undefined;
  const [first, second] = url.slice(at + '/node_modules/'.length).split('/');
  return first?.startsWith('@') ? `${first}/${second}` : first;
}

/** Services and packages of this repository: `services/api/src/routes`, `packages/queue`. */
export function switchyardDirOf(url: string): string | undefined {
  const service = /\/services\/([^/]+)\/src\/(?:([^/]+)\/)?/.exec(url);
  if (service) return `services/${service[1]}/src${service[2] ? `/${service[2]}` : ''}`;
  const pack = /\/(packages|scripts)\/([^/]+)\//.exec(url);
  return pack ? `${pack[1]}/${pack[2]}` : undefined;
}

function nodeInternalStage(url: string): string {
  const path = url.slice('node:'.length);
  if (/^internal\/(modules|bootstrap|vm)\b/.test(path)) return 'node: module loading (start-up)';
  if (/http|_http_/.test(path)) return 'node: http';
  if (/(^|\/)(net|tcp_wrap|stream_base_commons|dns|tls|_tls)/.test(path)) return 'node: net';
  if (/streams?\b|stream\//.test(path)) return 'node: streams';
  return 'node: other';
}

/** The package-level stage of one call frame. */
export function stageOf(callFrame: { functionName: string; url: string }): string {
  const { functionName, url } = callFrame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)') return '(program: V8 and native, unattributed)';
  if (url.startsWith('node:')) return nodeInternalStage(url);
  // PGlite's Postgres in `all`; in any process that makes HTTP calls with undici, its llhttp parser too.
  if (url.startsWith('wasm://')) return "WebAssembly (PGlite's Postgres; undici's HTTP parser)";
  const packageName = packageOf(url);
  if (packageName) {
    if (packageName.startsWith('@switchyard/')) return switchyardGroup;
    return packageStages.find(([pattern]) => pattern.test(packageName))?.[1] ?? packageName;
  }
  if (switchyardDirOf(url)) return switchyardGroup;
  return url === '' ? '(native and builtins)' : '(other scripts)';
}

/** Self time per stage, in ms: each sample lasts until the next one (the last, as long as the mean). */
export function groupSelfTime(profile: CpuProfile): StageTotals {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const totals: StageTotals = { byPackage: {}, bySwitchyardDir: {}, totalMs: 0, idleMs: 0 };
  const deltas = profile.timeDeltas;
  const meanDelta = deltas.length > 0 ? deltas.reduce((sum, value) => sum + value, 0) / deltas.length : 0;
  profile.samples.forEach((nodeId, index) => {
    const frame = frames.get(nodeId);
    if (!frame || frame.functionName === '(root)') return;
    const ms = (deltas[index + 1] ?? meanDelta) / 1000;
    const stage = stageOf(frame);
    totals.byPackage[stage] = (totals.byPackage[stage] ?? 0) + ms;
    totals.totalMs += ms;
    if (stage === 'idle') totals.idleMs += ms;
    if (stage === switchyardGroup) {
      const dir = switchyardDirOf(frame.url) ?? frame.url;
      totals.bySwitchyardDir[dir] = (totals.bySwitchyardDir[dir] ?? 0) + ms;
    }
  });
  return totals;
}

/** Adds totals of several profiles of one process kind. */
export function mergeTotals(parts: StageTotals[]): StageTotals {
  const merged: StageTotals = { byPackage: {}, bySwitchyardDir: {}, totalMs: 0, idleMs: 0 };
  for (const part of parts) {
    for (const [stage, ms] of Object.entries(part.byPackage)) merged.byPackage[stage] = (merged.byPackage[stage] ?? 0) + ms;
    for (const [dir, ms] of Object.entries(part.bySwitchyardDir)) merged.bySwitchyardDir[dir] = (merged.bySwitchyardDir[dir] ?? 0) + ms;
    merged.totalMs += part.totalMs;
    merged.idleMs += part.idleMs;
  }
  return merged;
}

/** Rows sorted by time: stage, ms, share of the busy (non-idle) time, ms per request when given. */
export function stageRows(
  values: Record<string, number>,
  busyMs: number,
  requests?: number,
): Array<{ stage: string; ms: number; share: number; msPerRequest?: number }> {
  return Object.entries(values)
    .sort(([, a], [, b]) => b - a)
    .map(([stage, ms]) => ({
      stage,
      ms,
      share: stage === 'idle' || busyMs === 0 ? Number.NaN : ms / busyMs,
      ...(requests ? { msPerRequest: ms / requests } : {}),
    }));
}
