import { isAbsolute, resolve } from 'node:path';

/**
 * Where a SWITCHYARD_CONFIG path points. A relative path means relative to where the user
 * ran the command: scripts/switchyard moves to the repository root before starting Node,
 * so it exports the caller's directory as SWITCHYARD_CALLER_DIR first.
 */
export function resolveConfigPath(path: string, env: NodeJS.ProcessEnv, cwd: string = process.cwd()): string {
  if (isAbsolute(path)) return path;
  return resolve(env.SWITCHYARD_CALLER_DIR || cwd, path);
}
