import { ACCOUNT_ID, REGION, newSessionToken, type EndpointService } from './aws-account.ts';
import { awsExpiration, isoSeconds, MICROS_PER_HOUR } from './clock.ts';
import { assumedRoleUser, cloudTrailLine, sdkUserAgent, serviceAccountSubject, webIdentityUser, type CloudTrailCall } from './cloudtrail.ts';
import type { Credentials, Node, Pod } from './cluster-model.ts';
import type { World } from './world.ts';

/**
 * The AWS calls a quiet production cluster makes: pods refreshing IRSA credentials and
 * using them for their own key, secret and parameters; nodes pulling from ECR and the
 * VPC CNI describing its instance; the cluster autoscaler reading and resizing its
 * Auto Scaling group. Every call leaves through its zone's NAT gateway, or through a VPC
 * endpoint (KMS, Secrets Manager) from the pod's own private IP.
 */

const ECR_CREDENTIAL_PROVIDER_AGENT = 'aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/ecr#1.30.3';
const CONTAINERD_AGENT = 'containerd/1.7.23';
const VPC_CNI_AGENT = 'aws-sdk-go/1.55.5 (go1.22.5; linux; amd64) amazon-vpc-cni-k8s/version/v1.18.5';

function nodeRole(world: World): string {
  return `${world.account.cluster}-node-role`;
}

/** Where a pod's call to `service` comes from, and through which endpoint. */
function route(world: World, pod: Pod, service: string): { sourceIp: string; vpcEndpointId?: string } {
  const endpoint = world.account.vpcEndpoints[service as EndpointService];
  if (endpoint) return { sourceIp: pod.ip, vpcEndpointId: endpoint };
  return { sourceIp: (pod.node as Node).zone.natIp };
}

function host(service: string): string {
  return `${service}.${REGION}.amazonaws.com`;
}

// ---- IRSA ---------------------------------------------------------------------------------------

export function assumeRoleWithWebIdentity(world: World, pod: Pod, creds: Credentials, now: number): string {
  const deployment = pod.deployment;
  const roleName = deployment.irsaRole as string;
  const roleArn = world.account.roleArn(roleName);
  const subject = serviceAccountSubject(deployment.namespace, deployment.serviceAccount);
  return cloudTrailLine(world.rng, now, {
    eventVersion: '1.08',
    userIdentity: webIdentityUser(world.account, subject),
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRoleWithWebIdentity',
    ...route(world, pod, 'sts'),
    userAgent: sdkUserAgent(deployment.sdk, 'sts'),
    requestParameters: { roleArn, roleSessionName: creds.sessionName },
    responseElements: {
      credentials: {
        accessKeyId: creds.accessKeyId,
        sessionToken: newSessionToken(world.rng),
        expiration: awsExpiration(now + MICROS_PER_HOUR),
      },
      subjectFromWebIdentityToken: subject,
      assumedRoleUser: {
        assumedRoleId: `${world.account.roleId(roleName)}:${creds.sessionName}`,
        arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${roleName}/${creds.sessionName}`,
      },
      provider: world.account.oidcProviderArn,
      audience: 'sts.amazonaws.com',
    },
    additionalEventData: { identityProviderConnectionVerificationMethod: 'IAMTrustStore' },
    readOnly: true,
    resources: [{ accountId: ACCOUNT_ID, type: 'AWS::IAM::Role', ARN: roleArn }],
    host: host('sts'),
  });
}

function podCall(
  world: World,
  pod: Pod,
  now: number,
  service: string,
  call: Omit<CloudTrailCall, 'userIdentity' | 'eventSource' | 'sourceIp' | 'userAgent' | 'host'>,
): string | undefined {
  const creds = pod.creds;
  if (!creds || !pod.node) return undefined;
  const deployment = pod.deployment;
  return cloudTrailLine(world.rng, now, {
    ...call,
    userIdentity: assumedRoleUser(world.account, deployment.irsaRole as string, creds, 'web-identity'),
    eventSource: `${service}.amazonaws.com`,
    ...route(world, pod, service),
    userAgent: sdkUserAgent(deployment.sdk, service === 'secretsmanager' ? 'secretsmanager' : service),
    host: host(service),
  });
}

/** Once per pod start: the application loads its own secret. */
export function getOwnSecret(world: World, pod: Pod, now: number): string | undefined {
  return podCall(world, pod, now, 'secretsmanager', {
    eventVersion: '1.09',
    eventName: 'GetSecretValue',
    requestParameters: { secretId: `${pod.deployment.name}/prod` },
    responseElements: null,
    readOnly: true,
  });
}

/** Steady-state application traffic: envelope encryption with the app's key, its config parameter. */
export function applicationCall(world: World, pod: Pod, now: number): string | undefined {
  const app = pod.deployment.name;
  const keyArn = world.account.kmsKeyArn(app);
  const roll = world.rng.next();
  if (roll < 0.6) {
    return podCall(world, pod, now, 'kms', {
      eventVersion: '1.08',
      eventName: 'Decrypt',
      requestParameters: { encryptionContext: { app }, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
      responseElements: null,
      readOnly: true,
      resources: [{ accountId: ACCOUNT_ID, type: 'AWS::KMS::Key', ARN: keyArn }],
    });
  }
  if (roll < 0.8) {
    return podCall(world, pod, now, 'kms', {
      eventVersion: '1.08',
      eventName: 'GenerateDataKey',
      requestParameters: { keyId: `alias/${app}`, encryptionContext: { app }, keySpec: 'AES_256' },
      responseElements: null,
      readOnly: true,
      resources: [{ accountId: ACCOUNT_ID, type: 'AWS::KMS::Key', ARN: keyArn }],
    });
  }
  return podCall(world, pod, now, 'ssm', {
    eventVersion: '1.08',
    eventName: 'GetParameter',
    requestParameters: { name: `/${app}/config`, withDecryption: true },
    responseElements: null,
    readOnly: true,
    resources: [{ accountId: ACCOUNT_ID, type: 'AWS::SSM::Parameter', ARN: `arn:aws:ssm:${REGION}:${ACCOUNT_ID}:parameter/${app}/config` }],
  });
}

// ---- Cluster autoscaler (an IRSA pod in kube-system) ------------------------------------------------

export function autoscalerDescribe(world: World, pod: Pod, now: number): string | undefined {
  if (world.rng.chance(0.7)) {
    return podCall(world, pod, now, 'autoscaling', {
      eventVersion: '1.08',
      eventName: 'DescribeAutoScalingGroups',
      requestParameters: { autoScalingGroupNames: [world.account.asgName], maxRecords: 100 },
      responseElements: null,
      readOnly: true,
    });
  }
  return podCall(world, pod, now, 'ec2', {
    eventVersion: '1.09',
    eventName: 'DescribeInstances',
    requestParameters: {
      instancesSet: {},
      filterSet: {
        items: [
          { name: 'tag:eks:cluster-name', valueSet: { items: [{ value: world.account.cluster }] } },
          { name: 'instance-state-name', valueSet: { items: [{ value: 'running' }] } },
        ],
      },
    },
    responseElements: null,
    readOnly: true,
  });
}

export function autoscalerSetDesiredCapacity(world: World, pod: Pod, capacity: number, now: number): string | undefined {
  return podCall(world, pod, now, 'autoscaling', {
    eventVersion: '1.08',
    eventName: 'SetDesiredCapacity',
    requestParameters: { autoScalingGroupName: world.account.asgName, desiredCapacity: capacity, honorCooldown: false },
    responseElements: null,
    readOnly: false,
  });
}

export function autoscalerTerminate(world: World, pod: Pod, node: Node, now: number): string | undefined {
  return podCall(world, pod, now, 'autoscaling', {
    eventVersion: '1.08',
    eventName: 'TerminateInstanceInAutoScalingGroup',
    requestParameters: { instanceId: node.instanceId, shouldDecrementDesiredCapacity: true },
    responseElements: {
      activity: {
        activityId: world.rng.uuid(),
        autoScalingGroupName: world.account.asgName,
        description: `Terminating EC2 instance: ${node.instanceId}`,
        cause:
          `At ${isoSeconds(now)} instance ${node.instanceId} was taken out of service in response to a user ` +
          `request, shrinking the capacity from ${world.model.nodes.size} to ${world.model.nodes.size - 1}.`,
        startTime: awsExpiration(now),
        statusCode: 'InProgress',
        progress: 0,
        details: `{"Subnet ID":"subnet-0${world.rng.hex(16)}","Availability Zone":"${node.zone.name}"}`,
      },
    },
    readOnly: false,
  });
}

// ---- Nodes (instance-profile credentials) ---------------------------------------------------------

function nodeCall(
  world: World,
  node: Node,
  now: number,
  userAgent: string,
  call: Omit<CloudTrailCall, 'userIdentity' | 'sourceIp' | 'userAgent' | 'host'>,
  service: string,
): string | undefined {
  if (!node.creds) return undefined;
  return cloudTrailLine(world.rng, now, {
    ...call,
    userIdentity: assumedRoleUser(world.account, nodeRole(world), node.creds, 'instance-profile'),
    sourceIp: node.zone.natIp,
    userAgent,
    host: host(service),
  });
}

/** The kubelet's ECR credential provider; the token is cached for 12 hours. */
export function ecrAuthorizationToken(world: World, node: Node, now: number): string | undefined {
  node.ecrTokenMicros = now;
  return nodeCall(
    world,
    node,
    now,
    ECR_CREDENTIAL_PROVIDER_AGENT,
    {
      eventVersion: '1.08',
      eventSource: 'ecr.amazonaws.com',
      eventName: 'GetAuthorizationToken',
      requestParameters: { registryIds: [ACCOUNT_ID] },
      responseElements: null,
      readOnly: true,
    },
    'api.ecr',
  );
}

/** containerd pulling a new image tag for a pod scheduled on this node. */
export function ecrPull(world: World, node: Node, pod: Pod, now: number): string | undefined {
  const app = pod.deployment.name;
  return nodeCall(
    world,
    node,
    now,
    CONTAINERD_AGENT,
    {
      eventVersion: '1.08',
      eventSource: 'ecr.amazonaws.com',
      eventName: 'BatchGetImage',
      requestParameters: {
        imageIds: [{ imageTag: pod.tag }],
        acceptedMediaTypes: [
          'application/vnd.docker.distribution.manifest.v2+json',
          'application/vnd.docker.distribution.manifest.list.v2+json',
          'application/vnd.oci.image.manifest.v1+json',
          'application/vnd.oci.image.index.v1+json',
        ],
        repositoryName: app,
        registryId: ACCOUNT_ID,
      },
      responseElements: null,
      readOnly: true,
      resources: [{ accountId: ACCOUNT_ID, ARN: `arn:aws:ecr:${REGION}:${ACCOUNT_ID}:repository/${app}` }],
    },
    'api.ecr',
  );
}

/** The VPC CNI (aws-node, node role) checking its own instance. */
export function cniDescribeInstance(world: World, node: Node, now: number): string | undefined {
  return nodeCall(
    world,
    node,
    now,
    VPC_CNI_AGENT,
    {
      eventVersion: '1.09',
      eventSource: 'ec2.amazonaws.com',
      eventName: 'DescribeInstances',
      requestParameters: { instancesSet: { items: [{ instanceId: node.instanceId }] }, filterSet: {} },
      responseElements: null,
      readOnly: true,
    },
    'ec2',
  );
}
