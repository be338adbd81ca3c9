import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** One Kubernetes object as read from YAML, before any schema says what it is. */
export type ManifestObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
};

/** One YAML document's value (the config inside a ConfigMap, for one). */
export function parseYaml(text: string): unknown {
  const parsed = parseAllDocuments(text);
  const [document] = Array.isArray(parsed) ? parsed : [];
  if (!document || document.errors.length > 0) throw new Error(`not readable YAML: ${document?.errors.map((error) => error.message).join('; ')}`);
  return document.toJS();
}

/** Every non-empty YAML document of a file; a syntax error fails with the file's name. */
export function readManifestFile(path: string): ManifestObject[] {
  const parsed = parseAllDocuments(readFileSync(path, 'utf8'));
  // An empty stream (a file of comments only) holds no documents.
  const documents = Array.isArray(parsed) ? parsed : [];
  const objects: ManifestObject[] = [];
  for (const document of documents) {
    if (document.errors.length > 0) throw new Error(`${path}: ${document.errors.map((error) => error.message).join('; ')}`);
    const value = document.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${path}: a document is not a mapping`);
    const object = value as ManifestObject;
    if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string' || typeof object.metadata?.name !== 'string')
      throw new Error(`${path}: a document lacks apiVersion, kind or metadata.name`);
    objects.push(object);
  }
  return objects;
}

// Kinds without a namespace that these manifests use; kustomize leaves them alone too.
const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PriorityClass', 'StorageClass']);
// What this renderer understands. Anything else (patches, generators, labels) would render
// differently from kustomize, so it is refused rather than ignored.
const understood = new Set(['apiVersion', 'kind', 'namespace', 'resources']);

export const objectKey = (object: ManifestObject) => `${object.apiVersion} ${object.kind} ${object.metadata.namespace ?? '-'}/${object.metadata.name}`;

/**
 * The objects a kustomization renders to: its `resources:` (files, and directories holding
 * a kustomization, followed recursively), with its `namespace:` set on every namespaced
 * object. The subset of kustomize these manifests use; compared to kustomize itself where
 * it is installed (kustomizeBuild).
 */
export function renderKustomization(directory: string): ManifestObject[] {
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((name) => join(directory, name)).find((path) => existsSync(path));
  if (!file) throw new Error(`${directory}: no kustomization.yaml`);
  const kustomization = readKustomizationFile(file);
  const unknown = Object.keys(kustomization).filter((key) => !understood.has(key));
  if (unknown.length > 0) throw new Error(`${file}: this renderer does not handle ${unknown.join(', ')}`);
  const resources = kustomization.resources ?? [];
  const objects = resources.flatMap((entry) => {
    const path = resolve(directory, entry);
    if (!existsSync(path)) throw new Error(`${file}: resource ${entry} does not exist`);
    return statSync(path).isDirectory() ? renderKustomization(path) : readManifestFile(path);
  });
  const namespace = kustomization.namespace;
  const rendered = objects.map((object) =>
    namespace && !clusterScoped.has(object.kind) ? { ...object, metadata: { ...object.metadata, namespace } } : object,
  );
  const seen = new Set<string>();
  for (const object of rendered) {
    const key = objectKey(object);
    if (seen.has(key)) throw new Error(`${file}: ${key} appears twice`);
    seen.add(key);
  }
  return rendered;
}

function readKustomizationFile(path: string): { namespace?: string; resources?: string[]; [key: string]: unknown } {
  return parseYaml(readFileSync(path, 'utf8')) as { namespace?: string; resources?: string[] };
}

type Kustomize = { tool: string; build(directory: string): ManifestObject[] };

/**
 * `kubectl kustomize` or `kustomize build`, whichever is installed (asked once, here);
 * the reason instead when neither is.
 */
export function findKustomize(): Kustomize | { missing: string } {
  const candidates: Array<[string, string[]]> = [
    ['kubectl', ['kustomize']],
    ['kustomize', ['build']],
  ];
  for (const [command, args] of candidates) {
    if (spawnSync(command, [...args, '--help'], { stdio: 'ignore', timeout: 30_000 }).status !== 0) continue;
    return {
      tool: `${command} ${args.join(' ')}`,
      build(directory) {
        const run = spawnSync(command, [...args, directory], { encoding: 'utf8', timeout: 60_000 });
        if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} ${directory} failed:\n${run.stderr}`);
        const parsed = parseAllDocuments(run.stdout);
        return (Array.isArray(parsed) ? parsed : []).map((document) => document.toJS() as ManifestObject).filter((object) => object !== null);
      },
    };
  }
  return { missing: 'neither kubectl nor kustomize is installed' };
}
