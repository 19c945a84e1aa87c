import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { kpiMetric, kpiMinutes } from './kpi-metrics.ts';

export interface KpiDashboardProps {
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly analyzer: lambda.IFunction;
  /** The containment workflow; absent when containment is off. */
  readonly stateMachine?: sfn.IStateMachine;
  /** Whether incidents are exported to Security Hub. */
  readonly securityHub: boolean;
}

const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
const PIPELINE_PERIOD = Duration.minutes(5);

const EXPLANATION = `## pivotguard: how well incidents are found and handled
Counts and times are per hour; times in minutes.
- **Incidents opened**: new incidents, by severity.
- **Alerts**: alert messages sent (email and event), failed (parked in the dead-letter queue) and lost (neither sent nor parked).
- **Time to detect**: from the first suspicious record to the incident being opened; *delivery lag* is AWS bringing the record to pivotguard's queue, *processing* is pivotguard's own share.
- **Time to first containment**: from the incident opening to the first containment step that changed something (evidence capture not counted).
- **Containments started / not started**: workflows started for incidents severe enough; *not started* means an alerted incident is not being contained automatically.
- **Containment actions**: steps applied, failed, run dry, undone, and undos that failed.
- **Resolved / dismissed**: incidents a person closed, as dealt with or as a false positive.
- **Pipeline health**: age of the oldest queued record, records parked in the dead-letter queue, analyzer errors and throttles, containment workflows that failed or timed out.`;

/**
 * The stack's CloudWatch dashboard: the response KPIs the functions emit as Powertools metrics
 * (namespace `pivotguard`), next to the health of the pipeline that produces them.
 */
export class KpiDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: KpiDashboardProps) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-pivotguard`,
      defaultInterval: Duration.days(7),
      widgets: [
        [new cloudwatch.TextWidget({ markdown: EXPLANATION, width: 24, height: 7 })],
        [
          graph(
            'Incidents opened, by severity',
            SEVERITIES.map((severity) => kpiMetric('IncidentsBySeverity', { dimensions: { severity }, label: severity })),
            {
              stacked: true,
            },
          ),
          graph('Alerts', [
            kpiMetric('AlertsSent', { label: 'sent' }),
            kpiMetric('AlertsFailed', { label: 'failed' }),
            kpiMetric('AlertsLost', { label: 'lost' }),
          ]),
          graph('Containments', [
            kpiMetric('ContainmentsStarted', { label: 'started' }),
            kpiMetric('ContainmentsExtended', { label: 'extended to new targets' }),
            kpiMetric('ContainmentsNotStarted', { label: 'not started' }),
          ]),
        ],
        [
          graph(
            'Time to detect (minutes)',
            [
              kpiMinutes('TimeToDetect', 'p50', { label: 'time to detect p50' }),
              kpiMinutes('TimeToDetect', 'p90', { label: 'time to detect p90' }),
              kpiMinutes('DeliveryLag', 'p90', { label: 'delivery lag p90' }),
              kpiMinutes('ProcessingTime', 'p90', { label: 'processing p90' }),
            ],
            { width: 12 },
          ),
          graph(
            'Time to first containment (minutes)',
            [kpiMinutes('TimeToFirstContainment', 'p50', { label: 'p50' }), kpiMinutes('TimeToFirstContainment', 'p90', { label: 'p90' })],
            { width: 12 },
          ),
        ],
        [
          graph(
            'Containment actions',
            [
              kpiMetric('ActionsApplied', { label: 'applied' }),
              kpiMetric('ActionsFailed', { label: 'failed' }),
              kpiMetric('ActionsDryRun', { label: 'dry run' }),
              kpiMetric('ActionsUndone', { label: 'undone' }),
              kpiMetric('UndosFailed', { label: 'undo failed' }),
            ],
            { width: 12 },
          ),
          graph(
            'Incidents closed',
            [kpiMetric('IncidentsResolved', { label: 'resolved' }), kpiMetric('IncidentsDismissed', { label: 'dismissed (false positive)' })],
            {
              width: 12,
            },
          ),
        ],
        pipelineHealth(props),
      ],
    });
  }
}

function pipelineHealth(props: KpiDashboardProps): cloudwatch.IWidget[] {
  const max = { period: PIPELINE_PERIOD, statistic: 'Maximum' };
  const sum = { period: PIPELINE_PERIOD, statistic: 'Sum' };
  // Up to four graphs side by side.
  const narrow = { width: 6 };
  const widgets = [
    graph(
      'Queue',
      [
        props.queue.metricApproximateAgeOfOldestMessage({ ...max, label: 'oldest record (seconds)' }),
        props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ ...max, label: 'dead letters' }),
      ],
      narrow,
    ),
    graph('Analyzer', [props.analyzer.metricErrors({ ...sum, label: 'errors' }), props.analyzer.metricThrottles({ ...sum, label: 'throttles' })], narrow),
  ];
  if (props.stateMachine) {
    widgets.push(
      graph(
        'Containment workflow',
        [props.stateMachine.metricFailed({ ...sum, label: 'failed' }), props.stateMachine.metricTimedOut({ ...sum, label: 'timed out' })],
        narrow,
      ),
    );
  }
  if (props.securityHub) {
    widgets.push(
      graph(
        'Security Hub findings',
        [kpiMetric('FindingsExported', { label: 'exported' }), kpiMetric('FindingsNotExported', { label: 'not exported' })],
        narrow,
      ),
    );
  }
  return widgets;
}

function graph(title: string, metrics: cloudwatch.IMetric[], options: { width?: number; stacked?: boolean } = {}): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left: metrics, width: options.width ?? 8, height: 6, stacked: options.stacked ?? false });
}
