import { Duration, Names } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

export interface ContainmentWorkflowProps {
  /** The containment function: one handler, dispatching on the payload's `step`. */
  readonly handler: lambda.IFunction;
  /** How long a proposed disruptive step waits for a person before nothing disruptive runs. */
  readonly approvalTimeout?: Duration;
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /**
   * The state machine's name. It must be known at synthesis: the role's use of the key is
   * conditioned on the encryption context naming this state machine's ARN.
   * @default a name unique to the construct's path, at most 80 characters
   */
  readonly stateMachineName?: string;
}

/** Errors worth retrying with backoff: throttling and Lambda's own transient failures. */
export const TRANSIENT_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.SdkClientException',
  'ThrottlingException',
  'TooManyRequestsException',
];

/**
 * One execution per incident and plan revision (the first named after the incident, each later
 * one after the actions it adds, so a retry never starts a second): capture evidence first,
 * notify, run the automatic tier, wait for a person before the disruptive tier (or add it to a
 * wait already pending), and record every step with its undo. Every step reads the incident as
 * it is when it runs; the execution's input fixes only its plan. The state names are the
 * contract with the containment handler and the tests.
 */
export class ContainmentWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** Known at synthesis, so ARNs built from it (the function's own executions) reference nothing and close no cycle. */
  readonly stateMachineName: string;

  constructor(scope: Construct, id: string, props: ContainmentWorkflowProps) {
    super(scope, id);
    /** Without a result path, the step's result replaces its input. */
    const step = (name: string, stepName: string, fields: Record<string, unknown>, resultPath?: string) =>
      new tasks.LambdaInvoke(this, name, {
        lambdaFunction: props.handler,
        payload: sfn.TaskInput.fromObject({
          step: stepName,
          'incident.$': '$.incident',
          'dryRun.$': '$.dryRun',
          'execution.$': '$$.Execution.Name',
          // The handler checks every step against this execution (DescribeExecution): a forged payload names none it can show.
          'executionArn.$': '$$.Execution.Id',
          ...fields,
        }),
        payloadResponseOnly: true,
        resultPath,
        retryOnServiceExceptions: false,
      }).addRetry({ errors: TRANSIENT_ERRORS, interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 5, jitterStrategy: sfn.JitterType.FULL });

    const recordOutcome = step(
      'RecordOutcome',
      'record',
      { 'evidence.$': '$.evidence', 'automatic.$': '$.automatic', 'approval.$': '$.approval', 'approved.$': '$.approved', 'approvalUrl.$': '$.approvalUrl' },
      '$.recorded',
    );
    const done = new sfn.Succeed(this, 'Done');

    // Evidence first: without it, nothing else runs.
    // A revision captures under its own start time, never over the first capture's objects.
    const captureEvidence = step('CaptureEvidence', 'capture-evidence', { 'startedAt.$': '$$.Execution.StartTime' }, '$.evidence');
    const evidenceFailed = step('RecordEvidenceFailure', 'record-failure', { 'error.$': '$.error', stage: 'capture-evidence' }, '$.recorded').next(
      new sfn.Fail(this, 'EvidenceNotStored', { error: 'EvidenceNotStored', cause: 'Evidence could not be stored; no containment step ran.' }),
    );
    captureEvidence.addCatch(evidenceFailed, { resultPath: '$.error' });

    const notify = step('Notify', 'notify', { 'evidence.$': '$.evidence' }, '$.notified');
    // An email that cannot be sent must not keep the attacker's session alive: containment goes on.
    const notifyFailed = new sfn.Pass(this, 'NotifyFailed', { resultPath: sfn.JsonPath.DISCARD });
    notify.addCatch(notifyFailed, { resultPath: '$.notifyError' });

    // Each item ends as its action's record, so a tier with no action (a revision may add only one tier) records none.
    const runActions = (name: string, itemsPath: string, recordsPath: string) => {
      const run = step(`${name}Action`, 'run-action', { 'action.$': '$.action', 'approval.$': '$.approval' });
      // A failed action is recorded and alerted on; the other, independent actions go on.
      const failed = step(`${name}ActionFailed`, 'action-failed', { 'action.$': '$.action', 'error.$': '$.error' });
      run.addCatch(failed, { resultPath: '$.error' });
      const map = new sfn.Map(this, name, {
        itemsPath,
        // The approval (its time and who) fixes what an approved step acts on, so retries agree.
        itemSelector: { 'action.$': '$$.Map.Item.Value', 'incident.$': '$.incident', 'dryRun.$': '$.dryRun', 'approval.$': '$.approval' },
        resultPath: recordsPath,
        maxConcurrency: 4,
      });
      map.itemProcessor(run);
      return map;
    };

    const awaitApproval = new tasks.LambdaInvoke(this, 'AwaitApproval', {
      lambdaFunction: props.handler,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      // What waits for a person is visible in this state's input in the console.
      payload: sfn.TaskInput.fromObject({
        step: 'request-approval',
        taskToken: sfn.JsonPath.taskToken,
        'incident.$': '$.incident',
        'dryRun.$': '$.dryRun',
        'execution.$': '$$.Execution.Name',
        'executionArn.$': '$$.Execution.Id',
        'approvalUrl.$': '$.approvalUrl',
        'proposed.$': '$.incident.plan.approval',
      }),
      taskTimeout: sfn.Timeout.duration(props.approvalTimeout ?? Duration.hours(24)),
      resultPath: '$.approval',
      retryOnServiceExceptions: false,
    }).addRetry({ errors: TRANSIENT_ERRORS, interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 5 });
    const timedOut = new sfn.Pass(this, 'ApprovalTimedOut', { result: sfn.Result.fromObject({ decision: 'timeout' }), resultPath: '$.approval' });
    const rejected = new sfn.Pass(this, 'ApprovalRejected', { result: sfn.Result.fromObject({ decision: 'rejected' }), resultPath: '$.approval' });
    awaitApproval.addCatch(timedOut, { errors: ['States.Timeout'], resultPath: '$.approvalError' });
    awaitApproval.addCatch(rejected, { errors: ['Rejected'], resultPath: '$.approvalError' });
    timedOut.next(recordOutcome);
    rejected.next(recordOutcome);

    const nothingToApprove = new sfn.Pass(this, 'NothingToApprove', { result: sfn.Result.fromObject({ decision: 'none' }), resultPath: '$.approval' });
    nothingToApprove.next(recordOutcome);
    // Exactly what the person approved: the request's steps at the decision, other executions' added steps included.
    const approvedActions = runActions('ApprovedActions', '$.approval.actions', '$.approved.records');
    awaitApproval.next(approvedActions);
    approvedActions.next(recordOutcome);

    // One wait at a time: while another execution's request is pending, this one's steps join it.
    const joinPendingApproval = step('JoinPendingApproval', 'join-approval', { 'approvalUrl.$': '$.approvalUrl' }, '$.joined');
    const approvalJoined = new sfn.Pass(this, 'ApprovalJoined', { result: sfn.Result.fromObject({ decision: 'joined' }), resultPath: '$.approval' });
    approvalJoined.next(recordOutcome);
    joinPendingApproval.next(
      new sfn.Choice(this, 'JoinedPendingApproval').when(sfn.Condition.booleanEquals('$.joined.joined', true), approvalJoined).otherwise(awaitApproval),
    );

    const needsApproval = new sfn.Choice(this, 'NeedsApproval')
      .when(sfn.Condition.isPresent('$.incident.plan.approval[0]'), joinPendingApproval)
      .otherwise(nothingToApprove);

    const start = new sfn.Pass(this, 'Start', {
      parameters: {
        'incident.$': '$.incident',
        'dryRun.$': '$.dryRun',
        // Where approval links point: the analyzer passes it (the function cannot name its own page without a cycle).
        'approvalUrl.$': '$.approvalUrl',
        approval: { decision: 'pending' },
        approved: { records: [] },
        automatic: { records: [] },
      },
    });
    const automaticActions = runActions('AutomaticActions', '$.incident.plan.automatic', '$.automatic.records');
    notifyFailed.next(automaticActions);
    const definition = start.next(captureEvidence).next(notify).next(automaticActions).next(needsApproval);
    recordOutcome.next(done);

    const stateMachineName = props.stateMachineName ?? Names.uniqueResourceName(this, { maxLength: 80, separator: '-' });
    this.stateMachineName = stateMachineName;
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      stateMachineType: sfn.StateMachineType.STANDARD,
      tracingEnabled: true,
      logs: {
        // Step Functions' log delivery needs a log group under /aws/vendedlogs/: other names grow
        // the account's CloudWatch Logs resource policy until it hits its size limit.
        destination: new logs.LogGroup(this, 'Logs', {
          logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
          retention: props.logRetention,
          encryptionKey: props.key,
        }),
        level: sfn.LogLevel.ALL,
        // Execution data would put the approval task token (and the incident) in the logs.
        includeExecutionData: false,
      },
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(props.key),
    });
  }
}
