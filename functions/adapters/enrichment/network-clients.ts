import type { STSClient } from '@aws-sdk/client-sts';
import { type MemberCredentials, memberRoleClients } from '../containment/account-clients.ts';
import type { NetworkClients, NetworkClientsOf } from './cluster-network.ts';

/** The function's own account, and (organization mode) the member role it reads another account's cluster through. */
export interface NetworkAccounts {
  homeAccountId?: string;
  memberRoleName?: string;
  partition?: string;
}

export interface NetworkClientsOptions {
  accounts: NetworkAccounts;
  sts: Pick<STSClient, 'send'>;
  /** Builds the EC2 and EKS clients of a region (undefined: the function's), with a member role's credentials or the function's own. */
  clientsIn: (region: string | undefined, credentials?: MemberCredentials) => NetworkClients;
}

/**
 * Which clients read a configured cluster's network: the function's own for its account (one pair
 * per region), the member role's for another account (organization mode), else a refusal: another
 * account's cluster is never looked up by name in this one, where a same-named VPC is another VPC.
 */
export function networkClientsOf({ accounts, sts, clientsIn }: NetworkClientsOptions): NetworkClientsOf {
  const { homeAccountId, memberRoleName, partition } = accounts;
  const home = new Map<string, NetworkClients>();
  const members = memberRoleName && memberRoleClients({ memberRoleName, sts, clientOf: (credentials, region) => clientsIn(region, credentials) });
  return async ({ accountId, region }) => {
    // Without its own account known, the function reads every cluster as its own, as it always did.
    if (!accountId || !homeAccountId || accountId === homeAccountId) {
      const regional = home.get(region ?? '') ?? clientsIn(region);
      home.set(region ?? '', regional);
      return regional;
    }
    if (!members) return { refused: `it is in account ${accountId}: pivotguard reads another account only in organization mode` };
    const access = await members.clientIn(accountId, 'network', { partition, region });
    return 'refused' in access ? access : access.client;
  };
}
