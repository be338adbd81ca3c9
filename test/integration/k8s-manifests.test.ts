import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findKustomize, type ManifestObject, objectKey, parseYaml, readManifestFile, renderKustomization } from '../support/kustomize-render.ts';
import { crossReferenceProblems, schemaProblems } from '../support/manifest-problems.ts';

// Offline: the manifests are read, rendered and checked, never applied to a cluster.
const root = fileURLToPath(new URL('../../infra/k8s/', import.meta.url));
const base = join(root, 'base');
const overlay = join(root, 'overlays/one-more-provider');

const yamlFiles = (directory: string): string[] =>
  readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
const isKustomization = (path: string) => /(^|\/)kustomization\.ya?ml$/.test(path);
const byKey = (objects: ManifestObject[]) => new Map(objects.map((object) => [objectKey(object), object]));
// Not in any build (it would overwrite the real secret), but the pods read it.
const exampleSecret = readManifestFile(join(base, 'secret.example.yaml'));
const crossReferences = { readConfig: parseYaml, secretsMadeElsewhere: exampleSecret };
const problemsOf = (objects: ManifestObject[]) => [...schemaProblems(objects), ...crossReferenceProblems(objects, crossReferences)];
// Untyped on purpose: the breaks below reach deep into an object, where typed access would
// need a guard at every level.
const find = (objects: ManifestObject[], kind: string, name: string) => {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`${kind} ${name} is not rendered`);
  return found as Record<string, any>;
};

describe('Kubernetes manifests', () => {
  const kustomize = findKustomize();
  it('every manifest file parses and is part of a kustomization (examples apart)', () => {
    expect(schemaProblems(exampleSecret)).toEqual([]);
    const manifests = yamlFiles(root).filter((path) => !isKustomization(path) && !path.endsWith('.example.yaml'));
    expect(manifests.length).toBeGreaterThan(5);
    const kindAndName = (object: ManifestObject) => `${object.kind} ${object.metadata.name}`;
    const rendered = new Set([...renderKustomization(base), ...renderKustomization(overlay)].map(kindAndName));
    for (const path of manifests) {
      const objects = readManifestFile(path);
      expect(objects.length, relative(root, path)).toBeGreaterThan(0);
      // Each object of each file reaches a build (no file forgotten in `resources:`).
      for (const object of objects) expect(rendered.has(kindAndName(object)), `${relative(root, path)}: ${kindAndName(object)}`).toBe(true);
    }
  });

  for (const [label, directory] of [
    ['base', base],
    ['overlay one-more-provider', overlay],
  ] as const) {
    it(`${label}: every object validates against its schema and the cross-references hold`, () => {
      const objects = renderKustomization(directory);
      expect(schemaProblems(objects)).toEqual([]);
      expect(crossReferenceProblems(objects, crossReferences)).toEqual([]);
      expect(objects.filter((object) => object.kind !== 'Namespace').every((object) => object.metadata.namespace === 'switchyard')).toBe(true);
    });

    it.skipIf('missing' in kustomize)(
      `${label}: renders as ${'missing' in kustomize ? `kustomize would (skipped: ${kustomize.missing})` : kustomize.tool} builds it`,
      () => {
        if ('missing' in kustomize) return;
        const ours = byKey(renderKustomization(directory));
        const theirs = byKey(kustomize.build(directory));
        expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
        for (const [key, object] of ours) expect(theirs.get(key), key).toEqual(object);
      },
    );
  }

  it('the overlay is the base plus the openai worker, its budget and its scaler', () => {
    const baseKeys = new Set(renderKustomization(base).map(objectKey));
    const added = renderKustomization(overlay).filter((object) => !baseKeys.has(objectKey(object)));
    expect(added.map((object) => `${object.kind} ${object.metadata.name}`).sort()).toEqual([
      'Deployment switchyard-worker-openai',
      'PodDisruptionBudget switchyard-worker-openai',
      'ScaledObject switchyard-worker-openai',
    ]);
    expect(find(added, 'Deployment', 'switchyard-worker-openai').spec.template.spec.containers[0].args).toEqual([
      'worker',
      '--provider',
      'openai',
      '--concurrency',
      '64',
    ]);
  });
});

// The checks above must be able to fail: each break below, made on a copy of the rendered
// base, is reported.
describe('the manifest checks catch a broken manifest', () => {
  const broken = (change: (objects: ManifestObject[]) => void) => {
    const objects = structuredClone(renderKustomization(base));
    change(objects);
    return problemsOf(objects).join('\n');
  };

  it('a value of the wrong type fails the Deployment schema', () => {
    expect(broken((objects) => (find(objects, 'Deployment', 'switchyard-api').spec.template.spec.containers[0].ports[0].containerPort = '8080'))).toMatch(
      /Deployment switchyard-api: .*containerPort must be integer/,
    );
  });

  it('a value of the wrong type fails the ScaledObject schema', () => {
    expect(broken((objects) => (find(objects, 'ScaledObject', 'switchyard-worker-mock').spec.maxReplicaCount = 'ten'))).toMatch(
      /ScaledObject switchyard-worker-mock: .*maxReplicaCount must be integer/,
    );
  });

  it('an unknown kind is refused', () => {
    expect(broken((objects) => objects.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray' } }))).toMatch(/Pod stray: no schema/);
  });

  it('a selector that misses its template labels', () => {
    expect(broken((objects) => (find(objects, 'Deployment', 'switchyard-ledger').spec.selector.matchLabels['app.kubernetes.io/component'] = 'ledgr'))).toMatch(
      /Deployment switchyard-ledger: selector does not match/,
    );
  });

  it('a probe on a port the container does not declare', () => {
    expect(
      broken((objects) => (find(objects, 'Deployment', 'switchyard-worker-mock').spec.template.spec.containers[0].livenessProbe.httpGet.port = 9090)),
    ).toMatch(/liveness probe port 9090 is not a port the container declares/);
  });

  it('a ScaledObject query for a provider without a worker', () => {
    expect(
      broken((objects) => {
        const trigger = find(objects, 'ScaledObject', 'switchyard-worker-mock').spec.triggers[0];
        trigger.metadata.query = trigger.metadata.query.replaceAll('"mock"', '"openai"');
      }),
    ).toMatch(/ScaledObject switchyard-worker-mock: query names provider\(s\) openai, openai, its worker serves mock/);
  });

  it('a budget or scaler aimed at no Deployment', () => {
    const problems = broken((objects) => {
      find(objects, 'PodDisruptionBudget', 'switchyard-webhooks').spec.selector.matchLabels['app.kubernetes.io/component'] = 'hooks';
      find(objects, 'ScaledObject', 'switchyard-worker-anthropic').spec.scaleTargetRef.name = 'switchyard-worker-antropic';
    });
    expect(problems).toMatch(/PodDisruptionBudget switchyard-webhooks: selects 0 Deployments/);
    expect(problems).toMatch(/ScaledObject switchyard-worker-anthropic: its target switchyard-worker-antropic is not a Deployment/);
  });

  it('a grace period shorter than the longest upstream call', () => {
    expect(broken((objects) => (find(objects, 'Deployment', 'switchyard-worker-anthropic').spec.template.spec.terminationGracePeriodSeconds = 120))).toMatch(
      /switchyard-worker-anthropic: terminationGracePeriodSeconds 120 is not above the longest call \(120 s\)/,
    );
  });

  it('a worker left without its scaler and budget', () => {
    const problems = broken((objects) => {
      objects.splice(objects.indexOf(find(objects, 'ScaledObject', 'switchyard-worker-mock') as ManifestObject), 1);
      objects.splice(objects.indexOf(find(objects, 'PodDisruptionBudget', 'switchyard-worker-mock') as ManifestObject), 1);
    });
    expect(problems).toMatch(/Deployment switchyard-worker-mock: a worker without a ScaledObject/);
    expect(problems).toMatch(/Deployment switchyard-worker-mock: a worker without a PodDisruptionBudget/);
  });

  it('an api drain shorter than a sync call, or longer than the grace period', () => {
    const drainVariable = (objects: ManifestObject[]) =>
      find(objects, 'Deployment', 'switchyard-api').spec.template.spec.containers[0].env.find(
        (variable: { name: string }) => variable.name === 'SWITCHYARD_DRAIN_TIMEOUT_MS',
      );
    expect(broken((objects) => (drainVariable(objects).value = '30000'))).toMatch(/switchyard-api: the drain \(30000 ms\) is shorter than a sync call/);
    expect(broken((objects) => (drainVariable(objects).value = '150000'))).toMatch(
      /switchyard-api: terminationGracePeriodSeconds 150 is not above the preStop pause \(5 s\) plus the drain \(150 s\)/,
    );
  });

  it('a pod that reads a Secret nobody makes', () => {
    expect(
      broken(
        (objects) => (find(objects, 'Deployment', 'switchyard-webhooks').spec.template.spec.containers[0].envFrom[0].secretRef.name = 'switchyard-secret'),
      ),
    ).toMatch(/Deployment switchyard-webhooks: envFrom secret switchyard-secret does not exist/);
  });

  it('more worker replicas than the provider maxConcurrency can use', () => {
    expect(broken((objects) => (find(objects, 'ScaledObject', 'switchyard-worker-anthropic').spec.maxReplicaCount = 8))).toMatch(
      /maxReplicaCount 8 x concurrency 64 has replicas past what the provider's maxConcurrency 256 lets run/,
    );
  });
});
