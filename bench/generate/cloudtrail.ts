import { ACCOUNT_ID, REGION, type AwsAccount } from './aws-account.ts';
import { isoSeconds } from './clock.ts';
import type { Credentials, SdkFlavor } from './cluster-model.ts';
import type { Prng } from './prng.ts';

/**
 * Bare CloudTrail records (one element of a delivered file's Records array), with the
 * field order CloudTrail uses.
 */

export interface CloudTrailCall {
  eventVersion: '1.08' | '1.09';
  userIdentity: unknown;
  eventSource: string;
  eventName: string;
  sourceIp: string;
  userAgent: string;
  requestParameters: unknown;
  responseElements: unknown;
  additionalEventData?: unknown;
  readOnly: boolean;
  resources?: unknown[];
  /** Set when the call went through a VPC interface endpoint. */
  vpcEndpointId?: string | undefined;
  /** Host the client asked for; recorded as tlsDetails. */
  host: string;
}

const TLS_13 = { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256' };

export function cloudTrailLine(rng: Prng, atMicros: number, call: CloudTrailCall): string {
  const record = {
    eventVersion: call.eventVersion,
    userIdentity: call.userIdentity,
    eventTime: isoSeconds(atMicros),
    eventSource: call.eventSource,
    eventName: call.eventName,
    awsRegion: REGION,
    sourceIPAddress: call.sourceIp,
    userAgent: call.userAgent,
    requestParameters: call.requestParameters,
    responseElements: call.responseElements,
    additionalEventData: call.additionalEventData,
    requestID: rng.uuid(),
    eventID: rng.uuid(),
    readOnly: call.readOnly,
    resources: call.resources,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT_ID,
    vpcEndpointId: call.vpcEndpointId,
    vpcEndpointAccountId: call.vpcEndpointId === undefined ? undefined : ACCOUNT_ID,
    eventCategory: 'Management',
    tlsDetails: { ...TLS_13, clientProvidedHostHeader: call.host },
  };
  return JSON.stringify(record);
}

// ---- Identities ----------------------------------------------------------------------------

export function serviceAccountSubject(namespace: string, serviceAccount: string): string {
  return `system:serviceaccount:${namespace}:${serviceAccount}`;
}

/** Who calls AssumeRoleWithWebIdentity: the projected service-account token's subject. */
export function webIdentityUser(account: AwsAccount, subject: string): unknown {
  return {
    type: 'WebIdentityUser',
    principalId: `${account.oidcProviderArn}:sts.amazonaws.com:${subject}`,
    userName: subject,
    identityProvider: account.oidcProviderArn,
  };
}

/**
 * A role session using temporary credentials: IRSA sessions carry the OIDC provider in
 * webIdFederationData; instance-profile sessions carry ec2RoleDelivery instead.
 */
export function assumedRoleUser(account: AwsAccount, roleName: string, creds: Credentials, kind: 'web-identity' | 'instance-profile'): unknown {
  const roleId = account.roleId(roleName);
  return {
    type: 'AssumedRole',
    principalId: `${roleId}:${creds.sessionName}`,
    arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${roleName}/${creds.sessionName}`,
    accountId: ACCOUNT_ID,
    accessKeyId: creds.accessKeyId,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: roleId,
        arn: account.roleArn(roleName),
        accountId: ACCOUNT_ID,
        userName: roleName,
      },
      webIdFederationData: kind === 'web-identity' ? { federatedProvider: account.oidcProviderArn, attributes: {} } : {},
      attributes: { creationDate: isoSeconds(creds.issuedMicros), mfaAuthenticated: 'false' },
      ec2RoleDelivery: kind === 'instance-profile' ? '2.0' : undefined,
    },
  };
}

// ---- SDK fingerprints ---------------------------------------------------------------------------

const KERNEL = '5.10.227-219.884.amzn2.x86_64';

/** User agent of an AWS SDK calling one service; each workload keeps one SDK. */
export function sdkUserAgent(flavor: SdkFlavor, service: string): string {
  switch (flavor) {
    case 'python':
      return (
        `Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#${KERNEL} md/arch#x86_64 lang/python#3.12.7 ` +
        'md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36'
      );
    case 'go':
      return `aws-sdk-go-v2/1.32.2 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/${service}#1.36.2`;
    case 'java':
      return (
        `aws-sdk-java/2.28.16 md/io#sync md/http#Apache ua/2.1 os/Linux#${KERNEL} lang/java#21.0.5 ` +
        'md/OpenJDK_64-Bit_Server_VM#21.0.5+11-LTS md/vendor#Amazon.com_Inc. md/en_US cfg/retry-mode#legacy'
      );
    case 'node':
      return `aws-sdk-js/3.679.0 ua/2.1 os/linux#${KERNEL} lang/js md/nodejs#20.18.0 api/${service}#3.679.0`;
  }
}

/** Default role session name each SDK picks for web identity credentials. */
export function sdkSessionName(flavor: SdkFlavor, nowMicros: number): string {
  const millis = Math.floor(nowMicros / 1000);
  switch (flavor) {
    case 'python':
      return `botocore-session-${Math.floor(millis / 1000)}`;
    case 'go':
      return `${nowMicros}${String(nowMicros % 997).padStart(3, '0')}`;
    case 'java':
      return `aws-sdk-java-${millis}`;
    case 'node':
      return `aws-sdk-js-session-${millis}`;
  }
}
