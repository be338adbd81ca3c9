import { ScaledObject, type IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler, type IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import type { ManifestObject } from './kustomize-render.ts';

type Validating = { validate(): void };

// The kinds these manifests may hold, each checked against its bundled OpenAPI schema.
const models: Record<string, (object: ManifestObject) => Validating> = {
  'v1 Namespace': (object) => new Namespace(object as never),
  'v1 ConfigMap': (object) => new ConfigMap(object as never),
  'v1 Secret': (object) => new Secret(object as never),
  'v1 Service': (object) => new Service(object as never),
  'apps/v1 Deployment': (object) => new Deployment(object as never),
  'batch/v1 Job': (object) => new Job(object as never),
  'policy/v1 PodDisruptionBudget': (object) => new PodDisruptionBudget(object as never),
  'autoscaling/v2 HorizontalPodAutoscaler': (object) => new HorizontalPodAutoscaler(object as never),
  'keda.sh/v1alpha1 ScaledObject': (object) => new ScaledObject(object as never),
};

const nameOf = (object: ManifestObject) => `${object.kind} ${object.metadata.name}`;

/** Schema problems: an unknown kind, or what the model's validate() rejects. */
export function schemaProblems(objects: ManifestObject[]): string[] {
  return objects.flatMap((object) => {
    const model = models[`${object.apiVersion} ${object.kind}`];
    if (!model) return [`${nameOf(object)}: no schema for ${object.apiVersion} ${object.kind}`];
    try {
      model(object).validate();
      return [];
    } catch (error) {
      return [`${nameOf(object)}: ${(error as Error).message}`];
    }
  });
}

// The longest upstream call a worker (and a sync request on the api) may wait on, unless
// the config sets a longer provider `timeoutMs`.
const defaultProviderTimeoutSeconds = 120;

type ProviderSettings = { concurrency?: number; maxConcurrency?: number; timeoutMs?: number };

/** What the processes need from the manifests, checked across objects. Empty when all hold. */
export function crossReferenceProblems(
  objects: ManifestObject[],
  options: { readConfig: (text: string) => unknown; secretsMadeElsewhere?: ManifestObject[] },
): string[] {
  const { readConfig } = options;
  const problems: string[] = [];
  const of = <T>(kind: string) => objects.filter((object) => object.kind === kind) as unknown as Array<T & ManifestObject>;
  const deployments = of<IDeployment>('Deployment');
  const scaledObjects = of<IScaledObject>('ScaledObject');
  const budgets = of<IPodDisruptionBudget>('PodDisruptionBudget');
  const autoscalers = of<IHorizontalPodAutoscaler>('HorizontalPodAutoscaler');
  const services = of<IService>('Service');
  const configMaps = of<IConfigMap>('ConfigMap');
  const secrets = [...objects, ...(options.secretsMadeElsewhere ?? [])].filter((object) => object.kind === 'Secret');
  const sameNamespace = (a: ManifestObject, b: ManifestObject) => (a.metadata.namespace ?? '') === (b.metadata.namespace ?? '');
  const selects = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
    selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels?.[key] === value);
  const templateLabels = (deployment: IDeployment) => deployment.spec?.template.metadata?.labels;
  const { providers, server } = readConfigMaps(configMaps, readConfig);
  const longestCallSeconds = Math.max(defaultProviderTimeoutSeconds, ...Object.values(providers).map((settings) => (settings.timeoutMs ?? 0) / 1000));

  for (const deployment of deployments) {
    const name = nameOf(deployment);
    const spec = deployment.spec;
    if (!spec) {
      problems.push(`${name}: no spec`);
      continue;
    }
    if (!selects(spec.selector.matchLabels, templateLabels(deployment))) problems.push(`${name}: selector does not match its template labels`);
    const pod = spec.template.spec;
    if (!pod) {
      problems.push(`${name}: no pod spec`);
      continue;
    }
    problems.push(...podProblems(name, pod, deployment.spec?.template.metadata?.annotations));
    for (const container of pod.containers) problems.push(...volumeReferenceProblems(name, pod, configMaps, secrets, container));
    const role = roleOf(pod.containers[0]);
    if ((role === 'api' || role === 'worker') && !((pod.terminationGracePeriodSeconds ?? 30) > longestCallSeconds))
      problems.push(
        `${name}: terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds ?? 30} is not above the longest call (${longestCallSeconds} s)`,
      );
    if (role === 'api') problems.push(...apiDrainProblems(name, pod, server));
    const scaled =
      scaledObjects.some((scaledObject) => scaledObject.spec.scaleTargetRef.name === deployment.metadata.name && sameNamespace(scaledObject, deployment)) ||
      autoscalers.some((autoscaler) => autoscaler.spec?.scaleTargetRef.name === deployment.metadata.name && sameNamespace(autoscaler, deployment));
    if (scaled && spec.replicas !== undefined) problems.push(`${name}: sets replicas although an autoscaler owns them (every apply would reset them)`);
    if (role === 'worker') {
      if (!scaled) problems.push(`${name}: a worker without a ScaledObject`);
      if (!budgets.some((budget) => sameNamespace(budget, deployment) && selects(budget.spec?.selector?.matchLabels, templateLabels(deployment))))
        problems.push(`${name}: a worker without a PodDisruptionBudget`);
    }
  }

  const target = (reference: { name: string; kind?: string }, from: ManifestObject) =>
    (reference.kind ?? 'Deployment') === 'Deployment'
      ? deployments.find((deployment) => deployment.metadata.name === reference.name && sameNamespace(deployment, from))
      : undefined;

  for (const budget of budgets) {
    const matched = deployments.filter(
      (deployment) => sameNamespace(budget, deployment) && selects(budget.spec?.selector?.matchLabels, templateLabels(deployment)),
    );
    if (matched.length !== 1) problems.push(`${nameOf(budget)}: selects ${matched.length} Deployments, not one`);
  }
  for (const autoscaler of autoscalers) {
    if (!autoscaler.spec || !target(autoscaler.spec.scaleTargetRef, autoscaler)) problems.push(`${nameOf(autoscaler)}: its target is not a Deployment here`);
  }
  for (const service of services) {
    const backing = deployments.filter((deployment) => sameNamespace(service, deployment) && selects(service.spec?.selector, templateLabels(deployment)));
    if (backing.length === 0) problems.push(`${nameOf(service)}: selects no Deployment`);
    for (const port of service.spec?.ports ?? []) {
      const wanted = port.targetPort ?? port.port;
      for (const deployment of backing)
        if (!deployment.spec?.template.spec?.containers.some((container) => declaresPort(container, wanted)))
          problems.push(`${nameOf(service)}: targetPort ${wanted} is not declared by ${nameOf(deployment)}`);
    }
  }
  for (const scaledObject of scaledObjects) {
    const name = nameOf(scaledObject);
    const deployment = target(scaledObject.spec.scaleTargetRef, scaledObject);
    if (!deployment) {
      problems.push(`${name}: its target ${scaledObject.spec.scaleTargetRef.name} is not a Deployment here`);
      continue;
    }
    const worker = deployment.spec?.template.spec?.containers[0];
    const provider = worker && roleOf(worker) === 'worker' ? flag(worker, '--provider') : undefined;
    if (!worker || !provider) {
      problems.push(`${name}: its target ${nameOf(deployment)} is not a single-provider worker`);
      continue;
    }
    for (const trigger of scaledObject.spec.triggers) {
      const query = trigger.metadata.query ?? '';
      const named = [...query.matchAll(/provider\s*=\s*"([^"]*)"/g)].map((match) => match[1]);
      if (trigger.type !== 'prometheus' || !query.includes('switchyard_queue_waiting')) problems.push(`${name}: a trigger that is not the queue-depth query`);
      if (named.length === 0 || named.some((entry) => entry !== provider))
        problems.push(`${name}: query names provider(s) ${named.join(', ') || 'none'}, its worker serves ${provider}`);
      if (!(Number(trigger.metadata.threshold) > 0)) problems.push(`${name}: threshold ${trigger.metadata.threshold} is not a positive number`);
    }
    const { minReplicaCount = 0, maxReplicaCount = 100 } = scaledObject.spec;
    if (minReplicaCount < 1) problems.push(`${name}: minReplicaCount ${minReplicaCount}: the api refuses sync requests while a provider has no worker`);
    if (maxReplicaCount < minReplicaCount) problems.push(`${name}: maxReplicaCount below minReplicaCount`);
    if (scaledObject.spec.cooldownPeriod === undefined) problems.push(`${name}: no cooldownPeriod`);
    const cap = providers[provider]?.maxConcurrency;
    const perWorker = Number(flag(worker, '--concurrency') ?? providers[provider]?.concurrency ?? 64);
    if (cap !== undefined && (maxReplicaCount - 1) * perWorker >= cap)
      problems.push(
        `${name}: maxReplicaCount ${maxReplicaCount} x concurrency ${perWorker} has replicas past what the provider's maxConcurrency ${cap} lets run`,
      );
  }
  return problems;
}

/** `api`, `worker`, `ledger`, `webhooks` or `migrate`: the command the container runs. */
function roleOf(container: IContainer | undefined): string | undefined {
  return container?.args?.[0];
}

function flag(container: IContainer, name: string): string | undefined {
  const args = container.args ?? [];
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

function declaresPort(container: IContainer, port: number | string): boolean {
  return (container.ports ?? []).some((declared) => declared.containerPort === port || (declared.name !== undefined && declared.name === port));
}

// Readiness on the api asks Redis and Postgres (/ready); the other processes answer /health
// on their metrics port once started.
const readinessPath: Record<string, string> = { api: '/ready', worker: '/health', ledger: '/health', webhooks: '/health' };
const portVariables = ['PORT', 'METRICS_PORT'];

function podProblems(name: string, pod: IPodSpec, annotations: Record<string, string> | undefined): string[] {
  const problems: string[] = [];
  const podSecurity = pod.securityContext;
  for (const container of pod.containers) {
    const where = `${name} container ${container.name}`;
    const role = roleOf(container);
    if (!container.readinessProbe) problems.push(`${where}: no readinessProbe`);
    if (!container.livenessProbe) problems.push(`${where}: no livenessProbe`);
    for (const [kind, probe] of Object.entries({ startup: container.startupProbe, readiness: container.readinessProbe, liveness: container.livenessProbe })) {
      const port = probe?.httpGet?.port;
      if (probe && port === undefined) problems.push(`${where}: ${kind} probe is not an HTTP GET`);
      if (port !== undefined && !declaresPort(container, port)) problems.push(`${where}: ${kind} probe port ${port} is not a port the container declares`);
    }
    const wantedPath = role ? readinessPath[role] : undefined;
    if (wantedPath && container.readinessProbe?.httpGet?.path !== wantedPath)
      problems.push(`${where}: readiness path ${container.readinessProbe?.httpGet?.path} is not ${wantedPath}`);
    for (const variable of container.env ?? [])
      if (portVariables.includes(variable.name) && !declaresPort(container, Number(variable.value)))
        problems.push(`${where}: ${variable.name}=${variable.value} is not a port the container declares`);
    const resources = container.resources;
    if (!resources?.requests?.cpu || !resources.requests.memory || !resources.limits?.memory)
      problems.push(`${where}: needs cpu and memory requests and a memory limit`);
    const security = container.securityContext;
    if ((security?.runAsNonRoot ?? podSecurity?.runAsNonRoot) !== true) problems.push(`${where}: not runAsNonRoot`);
    if (security?.readOnlyRootFilesystem !== true) problems.push(`${where}: root filesystem not read-only`);
    if (security?.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation not false`);
  }
  if (annotations?.['prometheus.io/scrape'] === 'true') {
    const port = Number(annotations['prometheus.io/port']);
    if (!pod.containers.some((container) => declaresPort(container, port))) problems.push(`${name}: prometheus.io/port ${port} is not a declared port`);
  }
  return problems;
}

function volumeReferenceProblems(name: string, pod: IPodSpec, configMaps: ManifestObject[], secrets: ManifestObject[], container: IContainer): string[] {
  const problems: string[] = [];
  const exists = (list: ManifestObject[], wanted: string | undefined) => list.some((object) => object.metadata.name === wanted);
  for (const source of container.envFrom ?? [])
    if (source.secretRef && !exists(secrets, source.secretRef.name)) problems.push(`${name}: envFrom secret ${source.secretRef.name} does not exist`);
  for (const mount of container.volumeMounts ?? [])
    if (!pod.volumes?.some((volume) => volume.name === mount.name)) problems.push(`${name}: mounts volume ${mount.name}, which the pod does not have`);
  for (const volume of pod.volumes ?? [])
    if (volume.configMap && !exists(configMaps, volume.configMap.name))
      problems.push(`${name}: volume ${volume.name} wants ConfigMap ${volume.configMap.name}, absent`);
  return problems;
}

type ServerSettings = { syncTimeoutMs?: number; drainTimeoutMs?: number };

/** Provider and server settings of the `switchyard.yaml` in the ConfigMaps (what the processes start with). */
function readConfigMaps(
  configMaps: IConfigMap[],
  readConfig: (text: string) => unknown,
): { providers: Record<string, ProviderSettings>; server: ServerSettings } {
  const providers: Record<string, ProviderSettings> = {};
  const server: ServerSettings = {};
  for (const configMap of configMaps) {
    const text = configMap.data?.['switchyard.yaml'];
    if (text === undefined) continue;
    const config = readConfig(text) as { providers?: Record<string, ProviderSettings>; server?: ServerSettings } | null;
    Object.assign(providers, config?.providers ?? {});
    Object.assign(server, config?.server ?? {});
  }
  return { providers, server };
}

// The api's defaults (packages/config schema): a sync call waits up to 120 s, a drain lasts up to 30 s.
const defaultSyncTimeoutMs = 120_000;
const defaultDrainTimeoutMs = 30_000;

/**
 * On SIGTERM the api serves what it holds for up to its drain timeout: that must outlast a
 * sync call, and the grace period must outlast the preStop pause plus the drain.
 */
function apiDrainProblems(name: string, pod: IPodSpec, server: ServerSettings): string[] {
  const container = pod.containers[0]!;
  const fromEnv = container.env?.find((variable) => variable.name === 'SWITCHYARD_DRAIN_TIMEOUT_MS')?.value;
  const drainMs = fromEnv !== undefined ? Number(fromEnv) : (server.drainTimeoutMs ?? defaultDrainTimeoutMs);
  const syncMs = server.syncTimeoutMs ?? defaultSyncTimeoutMs;
  const command = container.lifecycle?.preStop?.exec?.command ?? [];
  const preStopSeconds = command[0] === 'sleep' ? Number(command[1]) : 0;
  const grace = pod.terminationGracePeriodSeconds ?? 30;
  const problems: string[] = [];
  if (drainMs < syncMs)
    problems.push(`${name}: the drain (${drainMs} ms) is shorter than a sync call (server.syncTimeoutMs ${syncMs} ms): a drain would cut them`);
  if (!(grace > preStopSeconds + drainMs / 1000))
    problems.push(`${name}: terminationGracePeriodSeconds ${grace} is not above the preStop pause (${preStopSeconds} s) plus the drain (${drainMs / 1000} s)`);
  return problems;
}
