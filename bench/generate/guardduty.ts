import { ACCOUNT_ID, REGION } from './aws-account.ts';
import { isoMillis, isoSeconds } from './clock.ts';
import type { Prng } from './prng.ts';

/**
 * The one finding a benign day may carry: internet scanners probing a bastion host's
 * open SSH port (Recon:EC2/PortProbeUnprotectedPort, severity 2), delivered as an
 * EventBridge "GuardDuty Finding" event. GuardDuty updates one finding id and bumps its
 * count rather than raising new ones.
 */

export class PortProbeFinding {
  private readonly detectorId: string;
  private readonly findingId: string;
  private readonly instanceId: string;
  private readonly privateIp: string;
  private readonly publicIp = '198.51.100.7';
  private firstSeen: number | undefined;
  private count = 0;

  constructor(private readonly rng: Prng) {
    this.detectorId = rng.hex(32);
    this.findingId = rng.hex(32);
    this.instanceId = `i-0${rng.hex(16)}`;
    this.privateIp = `10.0.${rng.intBetween(200, 220)}.${rng.intBetween(4, 254)}`;
  }

  line(now: number): string {
    this.firstSeen ??= now - 20 * 60_000_000;
    this.count += 1 + this.rng.int(5);
    const privateDns = `ip-${this.privateIp.replaceAll('.', '-')}.ec2.internal`;
    const scanner = `192.0.2.${this.rng.intBetween(100, 199)}`;
    const event = {
      version: '0',
      id: this.rng.uuid(),
      'detail-type': 'GuardDuty Finding',
      source: 'aws.guardduty',
      account: ACCOUNT_ID,
      time: isoSeconds(now),
      region: REGION,
      resources: [],
      detail: {
        schemaVersion: '2.0',
        accountId: ACCOUNT_ID,
        region: REGION,
        partition: 'aws',
        id: this.findingId,
        arn: `arn:aws:guardduty:${REGION}:${ACCOUNT_ID}:detector/${this.detectorId}/finding/${this.findingId}`,
        type: 'Recon:EC2/PortProbeUnprotectedPort',
        resource: {
          resourceType: 'Instance',
          instanceDetails: {
            instanceId: this.instanceId,
            instanceType: 't3.micro',
            instanceState: 'running',
            availabilityZone: `${REGION}a`,
            imageId: 'ami-0c02fb55956c7d316',
            imageDescription: 'Amazon Linux 2023 AMI',
            launchTime: '2026-09-02T08:14:51.000Z',
            networkInterfaces: [
              {
                networkInterfaceId: `eni-0${this.rng.hex(16)}`,
                privateDnsName: privateDns,
                privateIpAddress: this.privateIp,
                privateIpAddresses: [{ privateDnsName: privateDns, privateIpAddress: this.privateIp }],
                publicDnsName: `ec2-${this.publicIp.replaceAll('.', '-')}.compute-1.amazonaws.com`,
                publicIp: this.publicIp,
                securityGroups: [{ groupId: 'sg-0a1b2c3d4e5f60718', groupName: 'bastion-ssh' }],
                subnetId: 'subnet-0f1e2d3c4b5a69788',
                vpcId: 'vpc-0123456789abcdef0',
                ipv6Addresses: [],
              },
            ],
            tags: [{ key: 'Name', value: 'bastion' }],
            productCodes: [],
          },
        },
        service: {
          serviceName: 'guardduty',
          detectorId: this.detectorId,
          action: {
            actionType: 'PORT_PROBE',
            portProbeAction: {
              blocked: false,
              portProbeDetails: [
                {
                  localPortDetails: { port: 22, portName: 'SSH' },
                  remoteIpDetails: {
                    ipAddressV4: scanner,
                    organization: {
                      asn: '64500',
                      asnOrg: 'EXAMPLE-HOSTING',
                      isp: 'Example Hosting',
                      org: 'Example Hosting',
                    },
                    country: { countryName: 'Netherlands' },
                    city: { cityName: 'Amsterdam' },
                    geoLocation: { lat: 52.3759, lon: 4.8975 },
                  },
                },
              ],
            },
          },
          resourceRole: 'TARGET',
          additionalInfo: { threatListName: 'ProofPoint', threatName: 'Scanner' },
          eventFirstSeen: isoMillis(this.firstSeen),
          eventLastSeen: isoMillis(now),
          archived: false,
          count: this.count,
        },
        severity: 2,
        createdAt: isoMillis(this.firstSeen),
        updatedAt: isoMillis(now),
        title: `Unprotected port on EC2 instance ${this.instanceId} is being probed.`,
        description: `EC2 instance has an unprotected port which is being probed by a known malicious host.`,
      },
    };
    return JSON.stringify(event);
  }
}
