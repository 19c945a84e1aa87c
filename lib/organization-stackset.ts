import { App, BootstraplessSynthesizer, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudformation from 'aws-cdk-lib/aws-cloudformation';
import { Construct } from 'constructs';
import { DeploymentConfigError } from './config-file.ts';
import { acknowledgeOrganizationMember, addNagChecks } from './nag.ts';
import { OrganizationMemberStack, type OrganizationMemberProps } from './organization-member.ts';
import type { PivotGuard } from './pivot-guard.ts';

/** CloudFormation's limit on a template passed inline (TemplateBody). */
export const TEMPLATE_BODY_LIMIT = 51_200;
const TARGET_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
export const MEMBER_STACK_SET_NAME = 'pivotguard-member';

export interface MemberStackSetProps {
  readonly pivotGuard: PivotGuard;
  /** Regions every account gets the member template in; the hub's region must be one (it holds the account-wide role). */
  readonly regions: readonly string[];
  /** The organization root (`r-…`) or the OUs (`ou-…`) whose accounts, present and future, get the member template. */
  readonly organizationalUnits: readonly string[];
  /** `DELEGATED_ADMIN` when the hub is a delegated administrator for StackSets, `SELF` in the management account. @default DELEGATED_ADMIN */
  readonly callAs?: 'SELF' | 'DELEGATED_ADMIN';
  readonly member?: OrganizationMemberProps;
}

/**
 * The member template, synthesized once in an app of its own (nagged there), and the service-managed
 * StackSet in the hub that deploys it to every account of the targets, new accounts included, in
 * each region, the hub's region first.
 */
export class MemberStackSet extends Construct {
  readonly stackSet: cloudformation.CfnStackSet;
  /** The member template as deployed (also deployable per account with `aws cloudformation deploy`). */
  readonly memberTemplate: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: MemberStackSetProps) {
    super(scope, id);
    const hub = Stack.of(this);
    const containment = props.pivotGuard.containmentFunction;
    const undo = props.pivotGuard.undoFunction;
    const analyzerRole = props.pivotGuard.analyzer.role;
    if (!containment?.role || !undo?.role) throw new DeploymentConfigError('organization mode needs containment: the member role is trusted by its functions');
    if (!analyzerRole) throw new Error('the analyzer function has no role: the member reader role trusts it');
    if (props.organizationalUnits.length === 0) {
      throw new DeploymentConfigError('memberOrganizationalUnits: name the organization root (r-…) or the OUs (ou-…) whose accounts get the member template');
    }
    const badTarget = props.organizationalUnits.find((target) => !TARGET_ID.test(target));
    if (badTarget !== undefined) throw new DeploymentConfigError(`memberOrganizationalUnits: "${badTarget}" is neither a root (r-…) nor an OU (ou-…)`);
    if (!props.regions.includes(hub.region)) {
      throw new DeploymentConfigError(
        `memberRegions: include the hub's region ${hub.region}, where each account's containment role and audit log subscriptions are made`,
      );
    }

    this.memberTemplate = synthesizeMemberTemplate(props.member ?? {});
    const templateBody = JSON.stringify(this.memberTemplate);
    if (templateBody.length > TEMPLATE_BODY_LIMIT) {
      throw new Error(`the member template is ${templateBody.length} characters, over CloudFormation's ${TEMPLATE_BODY_LIMIT} for an inline template`);
    }
    const regionOrder = [hub.region, ...props.regions.filter((region) => region !== hub.region)];
    this.stackSet = new cloudformation.CfnStackSet(this, 'Members', {
      stackSetName: MEMBER_STACK_SET_NAME,
      description:
        "pivotguard member: forwards this account's events and audit logs to the hub, and holds the roles hub containment acts and its analyzer reads through",
      permissionModel: 'SERVICE_MANAGED',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      callAs: props.callAs ?? 'DELEGATED_ADMIN',
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      operationPreferences: { regionOrder, regionConcurrencyType: 'SEQUENTIAL', maxConcurrentPercentage: 25, failureTolerancePercentage: 10 },
      templateBody,
      parameters: [
        { parameterKey: 'HubEventBusArn', parameterValue: props.pivotGuard.bus.eventBusArn },
        { parameterKey: 'HubRegion', parameterValue: hub.region },
        { parameterKey: 'HubAccountId', parameterValue: hub.account },
        { parameterKey: 'HubContainmentRoleArn', parameterValue: containment.role.roleArn },
        { parameterKey: 'HubUndoRoleArn', parameterValue: undo.role.roleArn },
        { parameterKey: 'HubAnalyzerRoleArn', parameterValue: analyzerRole.roleArn },
      ],
      stackInstancesGroup: [{ deploymentTargets: { organizationalUnitIds: [...props.organizationalUnits] }, regions: regionOrder }],
    });
    // What `cdk deploy -c memberOf=…` asks for to onboard an account outside the targets by hand.
    new CfnOutput(this, 'HubContainmentRoleArn', { value: containment.role.roleArn, description: 'hubContainmentRoleArn for -c memberOf=…' });
    new CfnOutput(this, 'HubUndoRoleArn', { value: undo.role.roleArn, description: 'hubUndoRoleArn for -c memberOf=…' });
    new CfnOutput(this, 'HubAnalyzerRoleArn', { value: analyzerRole.roleArn, description: 'hubAnalyzerRoleArn for -c memberOf=…' });
  }
}

/** The member stack in an app of its own, with the same checks, as the JSON the StackSet deploys. */
export function synthesizeMemberTemplate(props: OrganizationMemberProps): Record<string, unknown> {
  const app = new App({ analyticsReporting: false });
  const member = memberStack(app, 'PivotGuardMember', props);
  addNagChecks(app);
  return app.synth().getStackByName(member.stackName).template as Record<string, unknown>;
}

/** The member stack as the StackSet and a deploy by hand both use it: no asset, no bootstrap, its findings acknowledged. */
export function memberStack(scope: Construct, id: string, props: OrganizationMemberProps & Pick<StackProps, 'env'>): OrganizationMemberStack {
  const member = new OrganizationMemberStack(scope, id, {
    ...props,
    description: "pivotguard member: forwards this account's events and audit logs to the hub",
    // No bootstrap version check and no assets: member accounts are not CDK-bootstrapped.
    synthesizer: new BootstraplessSynthesizer(),
  });
  acknowledgeOrganizationMember(member);
  return member;
}
