import { ECR_REGISTRY, ZONES, type Zone } from './aws-account.ts';
import { Bag } from './bag.ts';
import { MICROS_PER_HOUR } from './clock.ts';
import { K8S_NAME_ALPHABET, type Prng } from './prng.ts';

/**
 * The live state of the simulated cluster: namespaces, Deployments, pods and nodes.
 * It only holds what is alive (plus a short ring of recently deleted pod names), so
 * memory stays flat however many records are generated. Records are built elsewhere.
 */

/** Which AWS SDK a workload uses: decides its user agent and STS session names. */
export type SdkFlavor = 'python' | 'go' | 'java' | 'node';

export type PodState = 'pending' | 'bound' | 'running' | 'terminating' | 'gone';

export interface Credentials {
  accessKeyId: string;
  sessionName: string;
  issuedMicros: number;
}

export interface Deployment {
  name: string;
  namespace: string;
  uid: string;
  serviceAccount: string;
  replicas: number;
  /** IAM role for service accounts (IRSA), when the workload calls AWS. */
  irsaRole: string | undefined;
  sdk: SdkFlavor;
  /** Repository part of the image, without tag. */
  imageRepo: string;
  tag: string;
  /** Current ReplicaSet: pod-template-hash, uid and revision. */
  rsHash: string;
  rsUid: string;
  revision: number;
  /** Mounted Secret and ConfigMap: the kubelet reads exactly these for the pod. */
  secretName: string | undefined;
  configMapName: string | undefined;
  /** kube-system add-ons: never redeployed by CI. */
  system: boolean;
  rolloutActive: boolean;
  pods: Bag<Pod>;
}

export interface Node {
  name: string;
  uid: string;
  ip: string;
  zone: Zone;
  instanceId: string;
  leaseUid: string;
  createdMicros: number;
  draining: boolean;
  pods: Bag<Pod>;
  /** Instance-profile credentials, delivered through IMDS. */
  creds: Credentials | undefined;
  credsGeneration: number;
  /** When the kubelet ECR credential provider last fetched a token (cached for 12h). */
  ecrTokenMicros: number;
}

export interface Pod {
  name: string;
  uid: string;
  deployment: Deployment;
  rsHash: string;
  rsUid: string;
  tag: string;
  node: Node | undefined;
  ip: string;
  state: PodState;
  createdMicros: number;
  startedMicros: number;
  /** Picked by a rolling update for deletion; evictions leave it alone. */
  retiring: boolean;
  /** Whoever waits for this pod to be Running (a rollout); handed on if it is evicted first. */
  onRunning: ((nowMicros: number) => void) | undefined;
  creds: Credentials | undefined;
  credsGeneration: number;
  apiAccessVolume: string;
  containerId: string;
}

export const NAMESPACE_COUNT = 40;
export const DEPLOYMENT_COUNT = 150;
export const NODE_COUNT = 60;

const APP_NOUNS = [
  'checkout',
  'payments',
  'catalog',
  'inventory',
  'orders',
  'shipping',
  'billing',
  'pricing',
  'search',
  'reviews',
  'ratings',
  'profile',
  'accounts',
  'identity',
  'session',
  'notify',
  'email',
  'sms',
  'ledger',
  'invoice',
  'refunds',
  'cart',
  'wishlist',
  'recommend',
  'media',
  'thumbnails',
  'uploads',
  'reports',
  'analytics',
  'metrics',
  'audit-trail',
  'export',
  'import',
  'jobs',
  'quotes',
  'tax',
  'fraud',
  'risk',
  'loyalty',
  'coupons',
  'gateway',
  'graphql',
  'webhooks',
  'partners',
  'vendors',
  'warehouse',
  'returns',
  'tracking',
  'geo',
  'currency',
];
const APP_SUFFIXES = ['api', 'worker', 'web', 'sync', 'consumer', 'svc'];
const SDKS: readonly SdkFlavor[] = ['python', 'go', 'java', 'node'];

export function namespaceNames(): string[] {
  // Two shared environments developers may touch; the rest belong to product teams.
  const teams = Array.from({ length: NAMESPACE_COUNT - 2 }, (_, i) => `team-${String(i + 1).padStart(2, '0')}`);
  return [...teams, 'dev', 'staging'];
}

export class ClusterModel {
  readonly namespaces = namespaceNames();
  readonly deployments: Deployment[] = [];
  readonly appDeployments: Deployment[] = [];
  readonly nodes = new Bag<Node>();
  readonly pods = new Bag<Pod>();
  /** Running pods holding live IRSA credentials: the ones that call AWS. */
  readonly podsWithCreds = new Bag<Pod>();
  readonly nodesWithCreds = new Bag<Node>();
  readonly coreDns: Deployment;
  readonly clusterAutoscaler: Deployment;
  private readonly usedNodeIps = new Set<string>();
  private readonly recentlyDeleted: string[] = [];
  private recentlyDeletedNext = 0;
  private resourceVersion: number;

  constructor(
    private readonly rng: Prng,
    readonly cluster: string,
    nowMicros: number,
  ) {
    this.resourceVersion = 48_000_000 + rng.int(1_000_000);
    const combos = APP_NOUNS.flatMap((noun) => APP_SUFFIXES.map((suffix) => `${noun}-${suffix}`));
    shuffle(rng, combos);
    for (let i = 0; i < DEPLOYMENT_COUNT; i++) {
      const name = combos[i] as string;
      const namespace = this.namespaces[i % this.namespaces.length] as string;
      const deployment = this.newDeployment(name, namespace, {
        replicas: rng.intBetween(2, 4),
        irsa: rng.chance(0.5),
        imageRepo: `${ECR_REGISTRY}/${name}`,
        tag: rng.hex(7),
        system: false,
        secretName: `${name}-secrets`,
        configMapName: `${name}-config`,
      });
      this.appDeployments.push(deployment);
    }
    this.coreDns = this.newDeployment('coredns', 'kube-system', {
      replicas: 2,
      irsa: false,
      imageRepo: '602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/coredns',
      tag: 'v1.11.3-eksbuild.2',
      system: true,
      configMapName: 'coredns',
    });
    this.clusterAutoscaler = this.newDeployment('cluster-autoscaler', 'kube-system', {
      replicas: 1,
      irsa: true,
      imageRepo: 'registry.k8s.io/autoscaling/cluster-autoscaler',
      tag: 'v1.31.0',
      system: true,
    });
    this.clusterAutoscaler.irsaRole = `${cluster}-cluster-autoscaler`;
    this.clusterAutoscaler.sdk = 'go';

    for (let i = 0; i < NODE_COUNT; i++) this.addNode(nowMicros - rng.int(72 * MICROS_PER_HOUR), i % ZONES.length);
    // The stream starts mid-life: every replica already runs somewhere.
    for (const deployment of this.deployments) {
      for (let r = 0; r < deployment.replicas; r++) {
        const pod = this.createPod(deployment, nowMicros - rng.int(8 * MICROS_PER_HOUR));
        this.bind(pod, this.schedulableNode());
        pod.startedMicros = pod.createdMicros + 8_000_000;
        this.markRunning(pod);
      }
    }
  }

  private newDeployment(
    name: string,
    namespace: string,
    shape: {
      replicas: number;
      irsa: boolean;
      imageRepo: string;
      tag: string;
      system: boolean;
      secretName?: string | undefined;
      configMapName?: string | undefined;
    },
  ): Deployment {
    const deployment: Deployment = {
      name,
      namespace,
      uid: this.rng.uuid(),
      serviceAccount: name,
      replicas: shape.replicas,
      irsaRole: shape.irsa ? `${name}-irsa` : undefined,
      sdk: this.rng.pick(SDKS),
      imageRepo: shape.imageRepo,
      tag: shape.tag,
      rsHash: this.rng.chars(K8S_NAME_ALPHABET, 10),
      rsUid: this.rng.uuid(),
      revision: this.rng.intBetween(3, 90),
      secretName: shape.secretName,
      configMapName: shape.configMapName,
      system: shape.system,
      rolloutActive: false,
      pods: new Bag<Pod>(),
    };
    this.deployments.push(deployment);
    return deployment;
  }

  nextResourceVersion(): string {
    this.resourceVersion += 1 + this.rng.int(40);
    return String(this.resourceVersion);
  }

  /** A recent resourceVersion, as clients pass when they start a watch. */
  currentResourceVersion(): string {
    return String(this.resourceVersion);
  }

  /** A CI rollout: new image tag, therefore a new ReplicaSet. */
  newRevision(deployment: Deployment): void {
    deployment.tag = this.rng.hex(7);
    deployment.rsHash = this.rng.chars(K8S_NAME_ALPHABET, 10);
    deployment.rsUid = this.rng.uuid();
    deployment.revision += 1;
  }

  createPod(deployment: Deployment, nowMicros: number): Pod {
    const pod: Pod = {
      name: `${deployment.name}-${deployment.rsHash}-${this.rng.chars(K8S_NAME_ALPHABET, 5)}`,
      uid: this.rng.uuid(),
      deployment,
      rsHash: deployment.rsHash,
      rsUid: deployment.rsUid,
      tag: deployment.tag,
      node: undefined,
      ip: '',
      state: 'pending',
      createdMicros: nowMicros,
      startedMicros: 0,
      retiring: false,
      onRunning: undefined,
      creds: undefined,
      credsGeneration: 0,
      apiAccessVolume: `kube-api-access-${this.rng.chars(K8S_NAME_ALPHABET, 5)}`,
      containerId: '',
    };
    deployment.pods.add(pod);
    this.pods.add(pod);
    return pod;
  }

  bind(pod: Pod, node: Node): void {
    pod.node = node;
    pod.ip = this.privateIp(node.zone);
    pod.state = 'bound';
    node.pods.add(pod);
  }

  markRunning(pod: Pod): void {
    pod.state = 'running';
    pod.containerId = this.rng.hex(64);
  }

  giveCredentials(pod: Pod, creds: Credentials): void {
    pod.creds = creds;
    pod.credsGeneration++;
    this.podsWithCreds.add(pod);
  }

  /** Graceful deletion has begun: the pod stops calling AWS. */
  terminate(pod: Pod): void {
    pod.state = 'terminating';
    this.podsWithCreds.delete(pod);
  }

  remove(pod: Pod): void {
    pod.state = 'gone';
    pod.deployment.pods.delete(pod);
    pod.node?.pods.delete(pod);
    this.pods.delete(pod);
    this.podsWithCreds.delete(pod);
    // Controllers sometimes still GET a pod just deleted: that is where normal 404s come from.
    this.recentlyDeleted[this.recentlyDeletedNext] = `${pod.deployment.namespace}/${pod.name}`;
    this.recentlyDeletedNext = (this.recentlyDeletedNext + 1) % 64;
  }

  recentlyDeletedPod(): { namespace: string; name: string } | undefined {
    if (this.recentlyDeleted.length === 0) return undefined;
    const [namespace, name] = this.rng.pick(this.recentlyDeleted).split('/') as [string, string];
    return { namespace, name };
  }

  schedulableNode(): Node {
    for (let attempt = 0; attempt < 20; attempt++) {
      const node = this.nodes.at(this.rng.int(this.nodes.size));
      if (node && !node.draining) return node;
    }
    const ready = this.nodes.values().filter((node) => !node.draining);
    return this.rng.pick(ready.length > 0 ? ready : this.nodes.values());
  }

  randomNode(): Node {
    return this.nodes.at(this.rng.int(this.nodes.size)) as Node;
  }

  addNode(nowMicros: number, zoneIndex = this.rng.int(ZONES.length)): Node {
    const zone = ZONES[zoneIndex] as Zone;
    let ip = this.privateIp(zone);
    while (this.usedNodeIps.has(ip)) ip = this.privateIp(zone);
    this.usedNodeIps.add(ip);
    const node: Node = {
      name: `ip-${ip.replaceAll('.', '-')}.ec2.internal`,
      uid: this.rng.uuid(),
      ip,
      zone,
      instanceId: `i-0${this.rng.hex(16)}`,
      leaseUid: this.rng.uuid(),
      createdMicros: nowMicros,
      draining: false,
      pods: new Bag<Pod>(),
      creds: undefined,
      credsGeneration: 0,
      ecrTokenMicros: nowMicros - 13 * MICROS_PER_HOUR,
    };
    this.nodes.add(node);
    return node;
  }

  giveNodeCredentials(node: Node, creds: Credentials): void {
    node.creds = creds;
    node.credsGeneration++;
    this.nodesWithCreds.add(node);
  }

  /** The instance is terminated: nothing more comes from this node. */
  removeNode(node: Node): void {
    this.nodes.delete(node);
    this.nodesWithCreds.delete(node);
    node.creds = undefined;
    node.credsGeneration++;
  }

  private privateIp(zone: Zone): string {
    return `10.0.${this.rng.intBetween(zone.octetMin, zone.octetMax)}.${this.rng.intBetween(4, 254)}`;
  }
}

function shuffle<T>(rng: Prng, items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
}
