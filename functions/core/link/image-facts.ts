import type { ImageScanEvent } from '#core/model/event';
import { type AttrValue, type Fact, nodeKey } from '#core/model/graph';
import { IMAGE_ATTRS, VULNERABILITY_ATTRS, imageVulnerabilityKey } from '#core/model/vulnerability';

/**
 * What a scan result teaches the graph about the image, by digest: where it was pushed and when it
 * was scanned (IMAGE_ATTRS), and one `imagevuln|` node per vulnerable package, with an edge from
 * the image. A later result of the same finding (Inspector closing it) updates the same node, since
 * attributes keep the newest event's value.
 */
export function imageFacts(event: ImageScanEvent): Fact[] {
  const base = { time: event.time, eventId: event.eventId };
  const image = nodeKey.image(event.digest);
  const attrs: Record<string, AttrValue> = { [IMAGE_ATTRS.scannedAt]: event.scannedAt };
  if (event.repository) attrs[IMAGE_ATTRS.repository] = event.repository;
  if (event.registry) attrs[IMAGE_ATTRS.registry] = event.registry;
  if (event.pushedAt) attrs[IMAGE_ATTRS.pushedAt] = event.pushedAt;
  const facts: Fact[] = [];
  const edges: string[] = [];
  for (const vulnerability of event.vulnerabilities) {
    const key = imageVulnerabilityKey(event.digest, vulnerability.id, vulnerability.packageName);
    const vulnerabilityAttrs: Record<string, AttrValue> = {};
    for (const name of VULNERABILITY_ATTRS) {
      const value = vulnerability[name];
      if (value !== undefined) vulnerabilityAttrs[name] = value;
    }
    edges.push(key);
    facts.push({ ...base, key, attrs: vulnerabilityAttrs });
  }
  facts.unshift({ ...base, key: image, attrs, ...(edges.length > 0 ? { edges } : {}) });
  return facts;
}
