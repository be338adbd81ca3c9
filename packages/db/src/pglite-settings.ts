/**
 * Postgres' own default of 128 MB of shared buffers lives inside PGlite's WASM memory,
 * which never shrinks once touched; 16 MB keeps the embedded database's idle footprint
 * small, and its files still sit in the OS page cache.
 */
export const embeddedSharedBuffers = '16MB';

/** PGlite's start parameters with our memory settings appended (a later `-c` wins). */
export function embeddedStartParams(defaults: readonly string[], sharedBuffers = embeddedSharedBuffers): string[] {
  return [...defaults, '-c', `shared_buffers=${sharedBuffers}`];
}
