import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DeploymentConfigError } from './config-file.ts';
import { kpiMetric } from './kpi-metrics.ts';

/** Where a KPI alarm goes off. */
export interface KpiAlarmThresholds {
  /**
   * Minutes from an incident opening to its first containment step beyond which pivotguard alerts.
   * @default 30
   */
  readonly uncontainedMinutes?: number;
  /** Failed containment steps within an hour that raise an alarm. @default 1 */
  readonly containmentFailures?: number;
  /** Minutes from first record to incident (90th percentile over an hour) beyond which pivotguard alerts. @default 30 */
  readonly timeToDetectMinutes?: number;
}

export interface KpiAlarmsProps {
  readonly topic: sns.ITopic;
  /** The containment workflow; without it only the detection alarm is created. */
  readonly stateMachine?: sfn.IStateMachine;
  readonly thresholds?: KpiAlarmThresholds;
}

const RECENT = Duration.minutes(5);
const HOUR = Duration.hours(1);
const MINUTE_MS = 60_000;

/**
 * Alarms on the response KPIs, to the same topic as incidents. An incident left uncontained is
 * caught where it shows in metrics: its workflow never started (ContainmentsNotStarted), stopped
 * (the workflow failed or timed out), a step failed (ActionsFailed), or the first step came later
 * than `uncontainedMinutes` (TimeToFirstContainment). A workflow waiting for a person is not an
 * alarm: it emits nothing while it waits, and its run time is the person's, so the approval email
 * and its expiry cover that case. Each alarm is about events, not a lasting state: no OK message,
 * which would read as "contained" when it only means "nothing new".
 */
export class KpiAlarms extends Construct {
  readonly slowDetection: cloudwatch.Alarm;
  readonly containmentNotStarted?: cloudwatch.Alarm;
  readonly workflowFailed?: cloudwatch.Alarm;
  readonly slowContainment?: cloudwatch.Alarm;
  readonly actionsFailed?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: KpiAlarmsProps) {
    super(scope, id);
    const thresholds = props.thresholds ?? {};
    const uncontainedMinutes = positive('uncontainedMinutes', thresholds.uncontainedMinutes ?? 30);
    const containmentFailures = positive('containmentFailures', thresholds.containmentFailures ?? 1);
    const timeToDetectMinutes = positive('timeToDetectMinutes', thresholds.timeToDetectMinutes ?? 30);
    const notify = new actions.SnsAction(props.topic);
    const alarm = (alarmId: string, alarmProps: Omit<cloudwatch.AlarmProps, 'evaluationPeriods' | 'treatMissingData'>) => {
      const created = new cloudwatch.Alarm(this, alarmId, { ...alarmProps, evaluationPeriods: 1, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING });
      created.addAlarmAction(notify);
      return created;
    };

    this.slowDetection = alarm('SlowDetection', {
      metric: kpiMetric('TimeToDetect', { statistic: 'p90', period: HOUR }),
      threshold: timeToDetectMinutes * MINUTE_MS,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription:
        `pivotguard is slow to detect: over the last hour, more than 1 in 10 incidents opened over ${timeToDetectMinutes} minutes after their first record. ` +
        'Compare DeliveryLag (AWS delivering records late) with ProcessingTime (pivotguard slow; check queue age and analyzer errors) on the pivotguard dashboard.',
    });

    if (props.stateMachine) {
      this.containmentNotStarted = alarm('ContainmentNotStarted', {
        metric: kpiMetric('ContainmentsNotStarted', { period: RECENT }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        alarmDescription:
          'pivotguard alerted on an incident but could not start its containment: nothing is being contained automatically. ' +
          "Contain it by hand from the incident email, then look for 'Could not record the response or start containment' in the analyzer's logs.",
      });
      this.workflowFailed = alarm('ContainmentWorkflowFailed', {
        metric: new cloudwatch.MathExpression({
          expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
          usingMetrics: {
            failed: props.stateMachine.metricFailed({ period: RECENT, statistic: 'Sum' }),
            timedOut: props.stateMachine.metricTimedOut({ period: RECENT, statistic: 'Sum' }),
          },
          period: RECENT,
          label: 'containment workflows failed or timed out',
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        alarmDescription:
          'A pivotguard containment workflow failed or timed out, so an incident may be only partly contained. ' +
          "Open the state machine's failed execution in the Step Functions console: its input names the incident; finish containment by hand.",
      });
      this.slowContainment = alarm('SlowContainment', {
        metric: kpiMetric('TimeToFirstContainment', { statistic: 'Maximum', period: RECENT }),
        threshold: uncontainedMinutes * MINUTE_MS,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        alarmDescription:
          `An incident stayed uncontained for more than ${uncontainedMinutes} minutes before pivotguard's first containment step. ` +
          'It is contained now; check why it took so long (an approval waited, or steps were retried) in the incident email and the workflow execution.',
      });
      this.actionsFailed = alarm('ContainmentActionsFailed', {
        metric: kpiMetric('ActionsFailed', { period: HOUR }),
        threshold: containmentFailures,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        alarmDescription:
          `${containmentFailures === 1 ? 'A pivotguard containment step' : `${containmentFailures} or more pivotguard containment steps`} failed within the hour: ` +
          "the pod may not be isolated or the role's sessions not revoked. The incident's containment workflow execution shows which step failed and why; " +
          'do that step by hand (if Kubernetes refused, apply the RBAC: npx pivotguard rbac | kubectl apply -f -).',
      });
    }
  }
}

function positive(name: keyof KpiAlarmThresholds, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new DeploymentConfigError(`kpiAlarms.${name}: must be a positive number, not ${value}`);
  return value;
}
