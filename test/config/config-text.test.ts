import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '#core/config-text';

describe('configuration text', () => {
  it('reads YAML with defaults and keeps the document as written', () => {
    const { document, config } = parseConfigText('namespaces:\n  payments: critical\negressCidrs: [203.0.113.0/24, "2001:db8::1"]\n', 'config t.yaml');
    expect(document).toEqual({ namespaces: { payments: 'critical' }, egressCidrs: ['203.0.113.0/24', '2001:db8::1'] });
    expect(config.windowHours).toBe(24);
    expect(config.namespaces.payments).toBe('critical');
  });

  it('names the file and the first bad field in one line', () => {
    expect(() => parseConfigText('egressCidrs: [bad]\n', 'config t.yaml')).toThrow(
      new ConfigError('config t.yaml: egressCidrs.0: expected an IP address or CIDR'),
    );
    expect(() => parseConfigText('egressCidrs: [10.0.0.0/99]\n', 'config t.yaml')).toThrow(/egressCidrs\.0: expected an IP address or CIDR/);
    expect(() => parseConfigText('windowHours: [\n', 'config t.yaml')).toThrow(/^config t\.yaml is not valid YAML or JSON/);
  });
});
