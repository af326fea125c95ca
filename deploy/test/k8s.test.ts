/**
 * Renders every kustomize overlay of deploy/k8s with `kubectl kustomize` (offline, no
 * cluster) and checks the objects: each against its Kubernetes (or KEDA) schema through
 * kubernetes-models, then what the schemas cannot say: probes on the port the service
 * really listens on, limits, the restricted security context, config and secrets,
 * autoscalers on the right stream and durable, disruption budgets, network policies,
 * replica counts, and secrets that hold placeholders only.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ScaledObject, type IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { loadConfig as loadApiConfig } from '@scores/api';
import { loadConfig as loadCacheWriterConfig } from '@scores/cache-writer';
import { consumerNames, streamSpecs } from '@scores/contracts';
import { loadConfig as loadGraderConfig } from '@scores/grader';
import { loadConfig as loadPollerConfig } from '@scores/poller';
import { loadConfig as loadSchedulerConfig } from '@scores/scheduler';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler, type IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy, type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import {
  ConfigMap,
  Namespace,
  Secret,
  Service,
  ServiceAccount,
  type IConfigMap,
  type IContainer,
  type ISecret,
  type IService,
  type IServiceAccount,
} from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

const K8S_DIR = fileURLToPath(new URL('../k8s/', import.meta.url));
const OVERLAYS = ['dev', 'prod'] as const;
type Overlay = (typeof OVERLAYS)[number];

const SERVICES = ['scheduler', 'poller', 'grader', 'cache-writer', 'api'] as const;
type ServiceName = (typeof SERVICES)[number];

/** the durable (of a namespace) each KEDA-scaled service consumes game.changed through */
const SCALED_ON_LAG: Partial<Record<ServiceName, (ns: string) => string>> = {
  grader: (ns) => consumerNames(ns).graderGames,
  'cache-writer': (ns) => consumerNames(ns).cacheWriterGames,
};

/** ports every service needs to reach, besides DNS (NATS 4222, Postgres 5432, Redis 6379, ESPN 443) */
const EGRESS_PORTS: Record<ServiceName, number[]> = {
  scheduler: [4222],
  poller: [443, 4222],
  grader: [4222, 5432],
  'cache-writer': [4222, 6379],
  api: [4222, 5432, 6379],
};

/** SPEC.md's configuration table, minus the secrets; ESPN_USER_AGENT keeps its versioned default */
const SPEC_CONFIG = [
  'NATS_URL', 'NAMESPACE', 'ESPN_BASE_URL', 'ESPN_LEAGUES', 'ESPN_TIMEOUT_MS',
  'POLL_LIVE_S', 'POLL_IDLE_S', 'POLL_OFFSEASON_S', 'POLL_MIN_GAP_S', 'BREAKER_FAILURES', 'BREAKER_OPEN_S',
  'HOST', 'PORT', 'HEALTH_PORT', 'RATE_LIMIT_MAX', 'RATE_LIMIT_WINDOW_S', 'RATE_LIMIT_ALLOWLIST', 'CORS_ORIGINS', 'LOG_LEVEL',
];
const SECRET_VARIABLES = ['DATABASE_URL', 'REDIS_URL', 'NATS_TOKEN', 'NATS_CREDS', 'API_KEYS'];
const SECRET_NAME = 'scores-secrets';
const PLACEHOLDER = 'CHANGE_ME';

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

type Model = new (data: never) => { validate(): void };
const MODELS: Record<string, Model> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
};

const renders = new Map<Overlay, K8sObject[]>();
function render(overlay: Overlay): K8sObject[] {
  let objects = renders.get(overlay);
  if (!objects) {
    let out: string;
    try {
      out = execFileSync('kubectl', ['kustomize', `${K8S_DIR}overlays/${overlay}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: string };
      if (e.code === 'ENOENT') throw new Error('kubectl is not on PATH: these tests render the overlays with `kubectl kustomize`', { cause: err });
      throw new Error(`kubectl kustomize overlays/${overlay} failed: ${e.stderr ?? e.message}`, { cause: err });
    }
    objects = parseAllDocuments(out).map((doc) => {
      if (doc.errors.length) throw new Error(`${overlay}: ${doc.errors.map((e) => e.message).join('; ')}`);
      return doc.toJS() as K8sObject;
    });
    renders.set(overlay, objects);
  }
  return objects;
}

function all<T>(objects: K8sObject[], kind: string): (T & K8sObject)[] {
  return objects.filter((o) => o.kind === kind) as (T & K8sObject)[];
}

function one<T>(objects: K8sObject[], kind: string, name: string): T & K8sObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0] as T & K8sObject;
}

function container(d: IDeployment): IContainer {
  const containers = d.spec?.template.spec?.containers ?? [];
  expect(containers, `${d.metadata?.name}: one container`).toHaveLength(1);
  return containers[0]!;
}

/** the containerPort a probe or Service names, by name or number; undefined when none matches */
function resolvePort(c: IContainer, port: number | string | undefined): number | undefined {
  return c.ports?.find((p) => p.name === port || p.containerPort === port)?.containerPort;
}

function cpuMillis(q: string | number | undefined): number {
  if (q === undefined) return NaN;
  const s = String(q);
  return s.endsWith('m') ? Number(s.slice(0, -1)) : Number(s) * 1000;
}

function bytes(q: string | number | undefined): number {
  if (q === undefined) return NaN;
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(String(q));
  if (!m) return NaN;
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, K: 1e3, M: 1e6, G: 1e9 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * unit;
}

function matches(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

function config(objects: K8sObject[]): Record<string, string> {
  const maps = all<IConfigMap>(objects, 'ConfigMap');
  expect(maps).toHaveLength(1);
  return maps[0]!.data ?? {};
}

function secretValues(s: ISecret): Record<string, string> {
  const decoded = Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  return { ...decoded, ...(s.stringData ?? {}) };
}

function podLabels(d: IDeployment): Record<string, string> {
  return d.spec?.template.metadata?.labels ?? {};
}

/** ports a pod may use, from every policy of the given direction that selects it */
function allowedPorts(policies: INetworkPolicy[], labels: Record<string, string>, direction: 'ingress' | 'egress'): Set<number> {
  const ports = new Set<number>();
  for (const p of policies) {
    if (!matches(p.spec?.podSelector.matchLabels, labels)) continue;
    for (const rule of p.spec?.[direction] ?? []) for (const port of rule.ports ?? []) if (typeof port.port === 'number') ports.add(port.port);
  }
  return ports;
}

type IngressPeers = NonNullable<NonNullable<INetworkPolicy['spec']>['ingress']>[number]['from'];

/**
 * Whether some ingress rule selecting these pods admits `port` from the given peers; a
 * rule without `from` admits everyone, which `fromAnywhere` accepts.
 */
function admits(policies: INetworkPolicy[], labels: Record<string, string>, port: number, peers: (from: IngressPeers) => boolean, fromAnywhere: boolean): boolean {
  return policies.some(
    (p) =>
      matches(p.spec?.podSelector.matchLabels, labels) &&
      (p.spec?.ingress ?? []).some((r) => r.ports?.some((x) => x.port === port) && (r.from ? peers(r.from) : fromAnywhere)),
  );
}

describe.each(OVERLAYS)('overlay %s', (overlay) => {
  const objects = () => render(overlay);
  const deployment = (s: ServiceName) => one<IDeployment>(objects(), 'Deployment', s);

  it('renders only kinds it knows, each valid against its schema', () => {
    const objs = objects();
    expect(objs.length).toBeGreaterThan(0);
    for (const o of objs) {
      const Model = MODELS[`${o.apiVersion}/${o.kind}`];
      expect(Model, `no model for ${o.apiVersion} ${o.kind}`).toBeDefined();
      expect(() => new Model!(o as never).validate(), `${o.kind} ${o.metadata.name}`).not.toThrow();
    }
  });

  it('puts every namespaced object in the overlay namespace, which enforces the restricted pod security standard', () => {
    const ns = all<K8sObject>(objects(), 'Namespace');
    expect(ns).toHaveLength(1);
    const name = ns[0]!.metadata.name;
    expect(name).toBe(overlay === 'prod' ? 'scores' : 'scores-dev');
    expect(ns[0]!.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const o of objects().filter((x) => x.kind !== 'Namespace')) expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe(name);
  });

  it('has one Deployment per service and nothing else', () => {
    expect(all<IDeployment>(objects(), 'Deployment').map((d) => d.metadata.name).sort()).toEqual([...SERVICES].sort());
  });

  it.each(SERVICES)('%s: probes the health endpoints on the port the service listens on', (s) => {
    const c = container(deployment(s));
    const cfg = config(objects());
    // the port the process will bind, from the same ConfigMap it reads
    const listens = Number(s === 'api' ? cfg.PORT : cfg.HEALTH_PORT);
    expect(c.ports?.map((p) => p.containerPort)).toEqual([listens]);
    for (const [probe, path] of [['startupProbe', '/healthz'], ['livenessProbe', '/healthz'], ['readinessProbe', '/readyz']] as const) {
      const get = c[probe]?.httpGet;
      expect(get, `${s} ${probe}`).toBeDefined();
      expect(get!.path).toBe(path);
      expect(resolvePort(c, get!.port), `${s} ${probe} port`).toBe(listens);
    }
  });

  it.each(SERVICES)('%s: announces its metrics port to Prometheus', (s) => {
    const d = deployment(s);
    const a = d.spec?.template.metadata?.annotations ?? {};
    expect(a['prometheus.io/scrape']).toBe('true');
    expect(a['prometheus.io/path']).toBe('/metrics');
    expect(resolvePort(container(d), Number(a['prometheus.io/port']))).toBeDefined();
  });

  it.each(SERVICES)('%s: requests no more than its limits', (s) => {
    const r = container(deployment(s)).resources;
    for (const q of [r?.requests?.cpu, r?.limits?.cpu]) expect(cpuMillis(q)).toBeGreaterThan(0);
    for (const q of [r?.requests?.memory, r?.limits?.memory]) expect(bytes(q)).toBeGreaterThanOrEqual(64 * 2 ** 20);
    expect(cpuMillis(r?.requests?.cpu)).toBeLessThanOrEqual(cpuMillis(r?.limits?.cpu));
    expect(bytes(r?.requests?.memory)).toBeLessThanOrEqual(bytes(r?.limits?.memory));
  });

  it.each(SERVICES)('%s: runs as uid 1000, unprivileged, on a read-only root with /tmp from an emptyDir', (s) => {
    const d = deployment(s);
    const pod = d.spec!.template.spec!;
    const c = container(d);
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    expect(pod.securityContext?.runAsUser).toBe(1000);
    expect(pod.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
    expect(c.securityContext?.runAsNonRoot).toBe(true);
    expect(c.securityContext?.allowPrivilegeEscalation).toBe(false);
    expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(c.securityContext?.capabilities?.drop).toContain('ALL');
    expect(c.securityContext?.capabilities?.add ?? []).toEqual([]);
    expect(c.securityContext?.privileged ?? false).toBe(false);
    const tmp = c.volumeMounts?.find((m) => m.mountPath === '/tmp');
    expect(tmp, `${s}: /tmp mounted`).toBeDefined();
    expect(pod.volumes?.find((v) => v.name === tmp!.name)?.emptyDir).toBeDefined();
  });

  it.each(SERVICES)('%s: has its own ServiceAccount without an API token', (s) => {
    const pod = deployment(s).spec!.template.spec!;
    expect(pod.serviceAccountName).toBe(s);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(one<IServiceAccount>(objects(), 'ServiceAccount', s).automountServiceAccountToken).toBe(false);
  });

  it.each(SERVICES)('%s: reads the ConfigMap and the Secret through envFrom', (s) => {
    const c = container(deployment(s));
    const maps = c.envFrom?.filter((e) => e.configMapRef).map((e) => e.configMapRef!.name) ?? [];
    const secrets = c.envFrom?.filter((e) => e.secretRef).map((e) => e.secretRef!.name) ?? [];
    expect(maps).toHaveLength(1);
    expect(all<IConfigMap>(objects(), 'ConfigMap').map((m) => m.metadata.name)).toContain(maps[0]);
    expect(secrets).toEqual([SECRET_NAME]);
    // no variable set inline, where it would escape the ConfigMap/Secret split
    expect(c.env ?? []).toEqual([]);
  });

  it.each(SERVICES)('%s: is given more time to stop than its own shutdown grace', (s) => {
    const pod = deployment(s).spec!.template.spec!;
    const preStop = container(deployment(s)).lifecycle?.preStop?.exec?.command;
    const preStopS = preStop?.[0] === 'sleep' ? Number(preStop[1]) : 0;
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(Number(config(objects()).SHUTDOWN_GRACE_S) + preStopS);
  });

  it.each(SERVICES)('%s: runs a pinned image of its own', (s) => {
    const image = container(deployment(s)).image ?? '';
    const m = /^(.+\/)?scores-([a-z-]+)(?::([\w.-]+))?(@sha256:[0-9a-f]{64})?$/.exec(image);
    expect(m, image).not.toBeNull();
    expect(m![2]).toBe(s);
    if (overlay === 'prod') {
      expect(m![4] !== undefined || /^\d+\.\d+\.\d+$/.test(m![3] ?? ''), `${image}: a release tag or a digest`).toBe(true);
    } else {
      expect(m![3]).toBe('dev');
    }
  });

  it.each(SERVICES)('%s: has a PodDisruptionBudget that leaves room for a drain', (s) => {
    const pdb = one<IPodDisruptionBudget>(objects(), 'PodDisruptionBudget', s);
    expect(matches(pdb.spec?.selector?.matchLabels, podLabels(deployment(s)))).toBe(true);
    expect(Object.keys(pdb.spec?.selector?.matchLabels ?? {})).not.toHaveLength(0);
    if (pdb.spec?.minAvailable !== undefined) {
      // minAvailable equal to the replica count would block every node drain
      expect(Number(pdb.spec.minAvailable)).toBeLessThan(minReplicas(objects(), s));
    } else {
      expect(Number(pdb.spec?.maxUnavailable)).toBeGreaterThanOrEqual(1);
    }
  });

  it('exposes the api through a ClusterIP Service on port 80', () => {
    const svc = one<IService>(objects(), 'Service', 'api');
    expect(all<IService>(objects(), 'Service')).toHaveLength(1);
    expect(svc.spec?.type ?? 'ClusterIP').toBe('ClusterIP');
    expect(matches(svc.spec?.selector, podLabels(deployment('api')))).toBe(true);
    expect(svc.spec?.ports).toHaveLength(1);
    const port = svc.spec!.ports![0]!;
    expect(port.port).toBe(80);
    expect(resolvePort(container(deployment('api')), port.targetPort)).toBe(3000);
  });

  it('scales the api on CPU', () => {
    const hpa = one<IHorizontalPodAutoscaler>(objects(), 'HorizontalPodAutoscaler', 'api');
    expect(all<IHorizontalPodAutoscaler>(objects(), 'HorizontalPodAutoscaler')).toHaveLength(1);
    expect(hpa.spec?.scaleTargetRef).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' });
    expect(hpa.spec?.metrics?.some((m) => m.type === 'Resource' && m.resource?.name === 'cpu')).toBe(true);
    expect(hpa.spec!.minReplicas).toBeGreaterThanOrEqual(1);
    expect(hpa.spec!.maxReplicas).toBeGreaterThanOrEqual(hpa.spec!.minReplicas!);
    // the autoscaler owns the count: a replicas field would fight it on every apply
    expect(deployment('api').spec?.replicas).toBeUndefined();
  });

  it.each(Object.entries(SCALED_ON_LAG))('%s: scales with KEDA on the lag of its durable of the games stream', (s, durableOf) => {
    const so = one<IScaledObject>(objects(), 'ScaledObject', s);
    const ns = config(objects()).NAMESPACE!;
    const stream = streamSpecs(ns).games.name;
    const durable = durableOf(ns);
    expect(so.spec.scaleTargetRef).toMatchObject({ name: s });
    expect(so.spec.minReplicaCount, 'never scaled to zero').toBeGreaterThanOrEqual(1);
    expect(so.spec.maxReplicaCount).toBeGreaterThanOrEqual(so.spec.minReplicaCount!);
    expect(so.spec.triggers).toHaveLength(1);
    const t = so.spec.triggers[0]!;
    expect(t.type).toBe('nats-jetstream');
    expect(t.metadata).toMatchObject({ stream, consumer: durable, account: '$G' });
    expect(t.metadata.natsServerMonitoringEndpoint).toMatch(/^[a-z0-9.-]+:8222$/);
    expect(t.metadata.lagThreshold).toMatch(/^[1-9]\d*$/);
    expect(deployment(s as ServiceName).spec?.replicas).toBeUndefined();
  });

  it('scales nothing else with KEDA', () => {
    expect(all<IScaledObject>(objects(), 'ScaledObject').map((o) => o.metadata.name).sort()).toEqual(Object.keys(SCALED_ON_LAG).sort());
  });

  it('denies all ingress and egress by default', () => {
    const deny = all<INetworkPolicy>(objects(), 'NetworkPolicy').filter(
      (p) => Object.keys(p.spec?.podSelector.matchLabels ?? {}).length === 0 && !p.spec?.podSelector.matchExpressions && !p.spec?.ingress && !p.spec?.egress,
    );
    expect(deny).toHaveLength(1);
    expect(deny[0]!.spec?.policyTypes?.sort()).toEqual(['Egress', 'Ingress']);
  });

  it.each(SERVICES)('%s: may reach DNS and exactly the ports it needs, and be reached on its own port only', (s) => {
    const policies = all<INetworkPolicy>(objects(), 'NetworkPolicy');
    const labels = podLabels(deployment(s));
    expect([...allowedPorts(policies, labels, 'egress')].sort((a, b) => a - b)).toEqual([53, ...EGRESS_PORTS[s]].sort((a, b) => a - b));
    const port = container(deployment(s)).ports![0]!.containerPort;
    expect([...allowedPorts(policies, labels, 'ingress')]).toEqual([port]);
  });

  it('lets anyone reach the api on its port', () => {
    const policies = all<INetworkPolicy>(objects(), 'NetworkPolicy');
    expect(admits(policies, podLabels(deployment('api')), 3000, () => false, true)).toBe(true);
  });

  it.each(SERVICES)('%s: lets Prometheus (namespace monitoring) scrape its metrics port', (s) => {
    const d = deployment(s);
    const port = Number(d.spec?.template.metadata?.annotations?.['prometheus.io/port']);
    const fromMonitoring = (peer: IngressPeers) =>
      peer?.some((f) => f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'monitoring' && !f.podSelector) ?? false;
    expect(admits(all<INetworkPolicy>(objects(), 'NetworkPolicy'), podLabels(d), port, fromMonitoring, true)).toBe(true);
  });

  it('configures every non-secret variable of SPEC.md, and no secret, in the ConfigMap', () => {
    const cfg = config(objects());
    for (const name of SPEC_CONFIG) expect(cfg, name).toHaveProperty(name);
    for (const name of SECRET_VARIABLES) expect(cfg, name).not.toHaveProperty(name);
  });

  it("passes every service's own configuration check", () => {
    const env: Record<string, string> = { ...config(objects()), DATABASE_URL: `postgres://scores:${PLACEHOLDER}@db:5432/scores`, REDIS_URL: `redis://:${PLACEHOLDER}@redis:6379/1` };
    expect(() => loadSchedulerConfig(env)).not.toThrow();
    expect(() => loadPollerConfig(env)).not.toThrow();
    expect(() => loadGraderConfig(env)).not.toThrow();
    expect(() => loadCacheWriterConfig(env)).not.toThrow();
    expect(() => loadApiConfig(env)).not.toThrow();
  });

  it('ships placeholders only in Secrets', () => {
    for (const s of all<ISecret>(objects(), 'Secret')) {
      for (const [key, value] of Object.entries(secretValues(s))) {
        if (value === '') continue;
        expect(value, `${s.metadata.name}.${key}`).toContain(PLACEHOLDER);
        if (/^[a-z]+:\/\//.test(value)) expect(decodeURIComponent(new URL(value).password), `${s.metadata.name}.${key}`).toBe(PLACEHOLDER);
      }
    }
  });
});

/** the fewest replicas a service runs with: its autoscaler's minimum, or its replicas field */
function minReplicas(objects: K8sObject[], s: ServiceName): number {
  const so = objects.find((o) => o.kind === 'ScaledObject' && o.metadata.name === s) as (IScaledObject & K8sObject) | undefined;
  if (so) return so.spec.minReplicaCount ?? 0;
  const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === s) as (IHorizontalPodAutoscaler & K8sObject) | undefined;
  if (hpa) return hpa.spec?.minReplicas ?? 1;
  const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === s) as (IDeployment & K8sObject) | undefined;
  return d?.spec?.replicas ?? 1;
}

describe('overlay prod', () => {
  const objects = () => render('prod');

  it.each(SERVICES)('%s: runs at least two replicas', (s) => {
    expect(minReplicas(objects(), s)).toBeGreaterThanOrEqual(2);
  });

  it('keeps at least one replica of every service through voluntary disruptions', () => {
    for (const pdb of all<IPodDisruptionBudget>(objects(), 'PodDisruptionBudget')) expect(pdb.spec?.minAvailable, pdb.metadata.name).toBe(1);
  });

  it('ships no Secret, so an apply never replaces the real one', () => {
    expect(all<ISecret>(objects(), 'Secret')).toEqual([]);
  });

  it('uses the namespace scores, which the ScaledObjects name', () => {
    expect(config(objects()).NAMESPACE).toBe('scores');
  });
});

describe('overlay dev', () => {
  const objects = () => render('dev');

  it.each(SERVICES)('%s: runs one replica', (s) => {
    expect(minReplicas(objects(), s)).toBe(1);
    const hpa = objects().find((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === s) as IHorizontalPodAutoscaler | undefined;
    const so = objects().find((o) => o.kind === 'ScaledObject' && o.metadata.name === s) as IScaledObject | undefined;
    if (hpa) expect(hpa.spec?.maxReplicas).toBe(1);
    if (so) expect(so.spec.maxReplicaCount).toBe(1);
  });

  it('logs at debug level', () => {
    expect(config(objects()).LOG_LEVEL).toBe('debug');
  });

  it('ships the Secret the Deployments read, with every variable they expect', () => {
    const secret = one<ISecret>(objects(), 'Secret', SECRET_NAME);
    expect(Object.keys(secretValues(secret)).sort()).toEqual(['API_KEYS', 'DATABASE_URL', 'NATS_TOKEN', 'REDIS_URL']);
  });
});

/** deploy/k8s/dependencies: the charts' values and the operator's Cluster, against what the manifests expect */
describe('dependencies', () => {
  // only the fields checked here; the charts and the operator validate the rest
  interface NatsValues { config: { cluster: { enabled: boolean; replicas: number }; jetstream: { enabled: boolean }; monitor?: { enabled?: boolean } } }
  interface PgCluster {
    kind: string;
    metadata: { name: string };
    spec: { instances: number; bootstrap: { initdb: { database: string; owner: string } }; postgresql: { parameters: Record<string, string> } };
  }
  interface RedisValues { auth: { enabled: boolean } }
  const read = <T>(file: string) => parse(readFileSync(`${K8S_DIR}dependencies/${file}`, 'utf8')) as T;
  const prod = () => render('prod');

  it('runs NATS as a three-node JetStream cluster at the address the ConfigMap and KEDA use', () => {
    const nats = read<NatsValues>('nats.values.yaml');
    expect(nats.config.cluster).toMatchObject({ enabled: true, replicas: 3 });
    expect(nats.config.jetstream.enabled).toBe(true);
    expect(nats.config.monitor?.enabled ?? true).toBe(true);
    // release `nats` in namespace `nats`: the chart's client and headless services
    expect(new URL(config(prod()).NATS_URL!).host).toBe('nats.nats.svc.cluster.local:4222');
    for (const so of all<IScaledObject>(prod(), 'ScaledObject')) {
      expect(so.spec.triggers[0]!.metadata.natsServerMonitoringEndpoint).toBe('nats-headless.nats.svc.cluster.local:8222');
    }
  });

  it('runs Postgres where the placeholder DATABASE_URL points, with connections for every replica at its maximum', () => {
    const pg = read<PgCluster>('postgres.yaml');
    expect(pg.kind).toBe('Cluster');
    expect(pg.spec.instances).toBeGreaterThanOrEqual(3);
    const url = new URL(secretValues(one<ISecret>(render('dev'), 'Secret', SECRET_NAME)).DATABASE_URL!);
    expect(url.hostname).toBe(`${pg.metadata.name}-rw.postgres.svc.cluster.local`);
    expect(url.pathname).toBe(`/${pg.spec.bootstrap.initdb.database}`);
    expect(url.username).toBe(pg.spec.bootstrap.initdb.owner);
    // the api is assumed to hold a pool as large as the grader's
    const pool = Number(config(prod()).DATABASE_POOL_MAX);
    const graderMax = one<IScaledObject>(prod(), 'ScaledObject', 'grader').spec.maxReplicaCount!;
    const apiMax = one<IHorizontalPodAutoscaler>(prod(), 'HorizontalPodAutoscaler', 'api').spec!.maxReplicas;
    expect(Number(pg.spec.postgresql.parameters.max_connections ?? 100)).toBeGreaterThanOrEqual((graderMax + apiMax) * pool + 10);
  });

  it('runs Redis with a password where the placeholder REDIS_URL points', () => {
    const redis = read<RedisValues>('redis.values.yaml');
    expect(redis.auth.enabled).toBe(true);
    const url = new URL(secretValues(one<ISecret>(render('dev'), 'Secret', SECRET_NAME)).REDIS_URL!);
    expect(url.hostname).toBe('redis-master.redis.svc.cluster.local');
    expect(url.pathname).toBe('/1');
  });
});
