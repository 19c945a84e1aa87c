import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ANALYZER_SERVICE } from '../../lib/analyzer.ts';
import { APPROVAL_SERVICE, CONTAINMENT_SERVICE } from '../../lib/kpi-metrics.ts';
import { type PolicyStatementJson, actionsOf, logicalId, synthPivotGuard } from './synth.ts';

// One build for the file: containment on, two thresholds set, Security Hub on.
const { pivotGuard, template } = synthPivotGuard({ kpiAlarms: { uncontainedMinutes: 45, containmentFailures: 3 }, securityHub: true });
const topicRef = { Ref: logicalId(pivotGuard.topic) };
const functions = template.findResources('AWS::Lambda::Function');

interface Widget {
  type: string;
  properties: { title?: string; markdown?: string; metrics?: unknown[][] };
}

/** The dashboard body as CloudWatch reads it, with each CloudFormation reference shown as REF. */
function dashboardOf(from: Template = template): { widgets: Widget[] } {
  const [dashboard] = Object.values(from.findResources('AWS::CloudWatch::Dashboard'));
  const [, parts] = dashboard!.Properties.DashboardBody['Fn::Join'] as [string, unknown[]];
  return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'REF')).join(''));
}

/** Every metric charted, as `NAMESPACE NAME DIMENSION=VALUE...` (math expressions left out). */
function chartedMetrics(from: Template = template): string[] {
  const rows = dashboardOf(from).widgets.flatMap((widget) => widget.properties.metrics ?? []);
  return rows
    .filter((row) => typeof row[0] === 'string')
    .map((row) => {
      const [namespace, name, ...rest] = row.filter((item) => typeof item === 'string') as string[];
      const dimensions = rest.flatMap((item, index) => (index % 2 === 0 ? [`${item}=${rest[index + 1]}`] : []));
      return [namespace, name, ...dimensions].join(' ');
    });
}

/** The KPI alarm on `metricName` in the pivotguard namespace. */
function kpiAlarm(metricName: string, from: Template = template) {
  const alarms = Object.values(from.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: 'pivotguard', MetricName: metricName } }));
  expect(alarms, metricName).toHaveLength(1);
  return alarms[0]!.Properties;
}

function serviceOf(functionId: string): string {
  return functions[functionId]!.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME;
}

describe('KPI dashboard', () => {
  it('is created by the stack and named after it', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'Test-pivotguard' });
  });

  it('charts every KPI metric in the pivotguard namespace, and explains each in its text', () => {
    const names = chartedMetrics()
      .filter((metric) => metric.startsWith('pivotguard '))
      .map((metric) => metric.split(' ')[1]);
    for (const name of [
      'IncidentsBySeverity',
      'AlertsSent',
      'AlertsFailed',
      'TimeToDetect',
      'DeliveryLag',
      'ProcessingTime',
      'TimeToFirstContainment',
      'ActionsApplied',
      'ActionsFailed',
      'ActionsUndone',
      'ContainmentsStarted',
      'ContainmentsNotStarted',
      'IncidentsResolved',
      'IncidentsDismissed',
      'FindingsNotExported',
    ]) {
      expect(names, name).toContain(name);
    }
    const severities = chartedMetrics()
      .filter((metric) => metric.includes('IncidentsBySeverity'))
      .map((metric) => metric.split(' ').at(-1));
    expect(severities).toEqual(['severity=critical', 'severity=high', 'severity=medium', 'severity=low']);
    const text = dashboardOf().widgets.find((widget) => widget.type === 'text')!.properties.markdown!;
    for (const kpi of [
      'Incidents opened',
      'Alerts',
      'Time to detect',
      'Time to first containment',
      'Containment actions',
      'Resolved / dismissed',
      'Pipeline health',
    ]) {
      expect(text).toContain(`**${kpi}**`);
    }
  });

  it('shows response times as p50 and p90, in minutes', () => {
    const timeToDetect = dashboardOf().widgets.find((widget) => widget.properties.title === 'Time to detect (minutes)')!;
    const expressions = timeToDetect.properties.metrics!.map((row) => row.at(-1) as { expression?: string; stat?: string });
    expect(expressions.filter((options) => options.expression).map((options) => options.expression)).toEqual([
      'timeToDetect_p50 / 60000',
      'timeToDetect_p90 / 60000',
      'deliveryLag_p90 / 60000',
      'processingTime_p90 / 60000',
    ]);
    expect(expressions.filter((options) => options.stat).map((options) => options.stat)).toEqual(['p50', 'p90', 'p90', 'p90']);
  });

  it('charts the pipeline: queue age, dead letters, analyzer errors and throttles, failed and timed-out workflows', () => {
    expect(chartedMetrics().filter((metric) => metric.startsWith('AWS/'))).toEqual([
      'AWS/SQS ApproximateAgeOfOldestMessage QueueName=REF',
      'AWS/SQS ApproximateNumberOfMessagesVisible QueueName=REF',
      'AWS/Lambda Errors FunctionName=REF',
      'AWS/Lambda Throttles FunctionName=REF',
      'AWS/States ExecutionsFailed StateMachineArn=REF',
      'AWS/States ExecutionsTimedOut StateMachineArn=REF',
    ]);
  });

  it('looks for each metric under the service name of the function that emits it', () => {
    const analyzer = logicalId(pivotGuard.analyzer);
    const containment = logicalId(pivotGuard.containmentFunction!);
    const approvalPage = Object.keys(functions).find((id) => id.includes('ApprovalPage'))!;
    expect([serviceOf(analyzer), serviceOf(containment), serviceOf(approvalPage)]).toEqual([ANALYZER_SERVICE, CONTAINMENT_SERVICE, APPROVAL_SERVICE]);
    const charted = chartedMetrics();
    expect(charted).toContain(`pivotguard TimeToDetect service=${ANALYZER_SERVICE}`);
    expect(charted).toContain(`pivotguard ActionsFailed service=${CONTAINMENT_SERVICE}`);
    expect(charted).toContain(`pivotguard IncidentsResolved service=${APPROVAL_SERVICE}`);
  });
});

describe('KPI alarms', () => {
  it('alert when detection is slow: TimeToDetect p90 over an hour above 30 minutes by default', () => {
    expect(kpiAlarm('TimeToDetect')).toMatchObject({
      Dimensions: [{ Name: 'service', Value: ANALYZER_SERVICE }],
      ExtendedStatistic: 'p90',
      Period: 3600,
      Threshold: 30 * 60_000,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
    });
  });

  it('alert when an alerted incident gets no containment workflow', () => {
    expect(kpiAlarm('ContainmentsNotStarted')).toMatchObject({
      Dimensions: [{ Name: 'service', Value: ANALYZER_SERVICE }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
    });
  });

  it('alert when the first containment step came later than uncontainedMinutes', () => {
    expect(kpiAlarm('TimeToFirstContainment')).toMatchObject({
      Dimensions: [{ Name: 'service', Value: CONTAINMENT_SERVICE }],
      Statistic: 'Maximum',
      Threshold: 45 * 60_000,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [topicRef],
    });
  });

  it('alert when containmentFailures steps fail within an hour', () => {
    expect(kpiAlarm('ActionsFailed')).toMatchObject({
      Dimensions: [{ Name: 'service', Value: CONTAINMENT_SERVICE }],
      Statistic: 'Sum',
      Period: 3600,
      Threshold: 3,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topicRef],
    });
  });

  it('alert when a containment workflow fails or times out', () => {
    const stateMachine = { Ref: logicalId(pivotGuard.stateMachine!) };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'FILL(failed, 0) + FILL(timedOut, 0)' }),
        Match.objectLike({
          MetricStat: Match.objectLike({
            Metric: { Namespace: 'AWS/States', MetricName: 'ExecutionsFailed', Dimensions: [{ Name: 'StateMachineArn', Value: stateMachine }] },
          }),
        }),
        Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ExecutionsTimedOut' }) }) }),
      ]),
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
    });
  });

  it('tell a person what happened and what to do, and send no OK message', () => {
    const kpiAlarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter(
      (alarm) => alarm.Properties.Namespace === 'pivotguard' || alarm.Properties.Metrics !== undefined,
    );
    expect(kpiAlarms).toHaveLength(5);
    for (const { Properties } of kpiAlarms) {
      expect(Properties.AlarmDescription.length).toBeGreaterThan(80);
      expect(Properties.OKActions).toBeUndefined();
    }
  });

  it('are the detection alarm only when containment is off, and refuse a threshold that is not a positive number', () => {
    const { template: detectOnly } = synthPivotGuard({ containment: false, kpiAlarms: { timeToDetectMinutes: 10 } });
    expect(kpiAlarm('TimeToDetect', detectOnly).Threshold).toBe(10 * 60_000);
    expect(Object.keys(detectOnly.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: 'pivotguard' } }))).toHaveLength(1);
    const charted = chartedMetrics(detectOnly);
    expect(charted.filter((metric) => metric.includes('ExecutionsFailed') || metric.includes('FindingsNotExported'))).toEqual([]);
    expect(() => synthPivotGuard({ kpiAlarms: { uncontainedMinutes: 0 } })).toThrow('kpiAlarms.uncontainedMinutes: must be a positive number, not 0');
  });
});

describe('Security Hub export', () => {
  const analyzer = functions[logicalId(pivotGuard.analyzer)]!.Properties;
  const product = {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':securityhub:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        ':product/',
        { Ref: 'AWS::AccountId' },
        '/default',
      ],
    ],
  };

  it('turns the export on in the analyzer, naming the account default product', () => {
    expect(analyzer.Environment.Variables).toMatchObject({ SECURITY_HUB: '1', SECURITY_HUB_PRODUCT_ARN: product });
  });

  it('lets the analyzer import findings to that product only', () => {
    const roleId = logicalId(pivotGuard.analyzer.role!);
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
    const statements = Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
    const securityHub = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('securityhub:')));
    expect(securityHub).toEqual([{ Sid: 'ImportFindings', Effect: 'Allow', Action: 'securityhub:BatchImportFindings', Resource: product }]);
  });
});
