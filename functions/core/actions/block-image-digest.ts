import { digestOf, imageBlockScope, isSeriousFinding, tagReferenceOf } from '#core/respond/image-block';
import { REACH_CLUSTERS, describeAction } from './descriptor.ts';

/**
 * Stops the incident's image from being scheduled again anywhere in the cluster: a
 * ValidatingAdmissionPolicy and its binding deny pods that reference its digest, or the exact
 * `repository:tag` the incident's pod used, until the image is rebuilt. The running pods stay.
 */
export const blockImageDigest = describeAction({
  name: 'block-image-digest',
  label: 'Block the image in the cluster',
  words: { done: 'blocked the image in the cluster', todo: 'block the image in the cluster', noun: 'Image block' },
  // Every namespace, every workload that uses the image, healthy replicas' rescheduling included.
  tier: { always: 'approval' },
  needs: {
    iam: [REACH_CLUSTERS],
    rbac: [
      {
        apiGroups: ['admissionregistration.k8s.io'],
        resources: ['validatingadmissionpolicies', 'validatingadmissionpolicybindings'],
        verbs: ['get', 'create', 'delete'],
      },
    ],
  },
  preconditions: [
    'the incident names the image digest and its cluster',
    'the image scan shows a critical or high vulnerability of that digest that is not closed or suppressed',
    'no policy or binding of that name exists that pivotguard did not create (checked when it runs)',
    'the cluster serves admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy, Kubernetes 1.30 or later (checked when it runs)',
  ],
  undoKinds: ['delete-admission-block'],
  // Scan data only: without a known vulnerability there is no rebuild for the block to wait for,
  // and an image an attacker chose changes its digest at will.
  propose: ({ workload, image }) => {
    const digest = digestOf(workload.imageDigest) ?? digestOf(workload.image);
    if (!digest || !workload.cluster) return [];
    const serious = image?.digest === digest ? image.vulnerabilities.filter(isSeriousFinding) : [];
    if (serious.length === 0) return [];
    const tagReference = tagReferenceOf(workload.image);
    const named = serious.slice(0, 3).map((finding) => `${finding.id} in ${finding.packageName}`);
    const why = `it has ${serious.length} critical or high ${serious.length === 1 ? 'vulnerability' : 'vulnerabilities'} (${named.join(', ')}${serious.length > 3 ? ', …' : ''})`;
    const tag = tagReference
      ? `; ${tagReference} is blocked too, until undone, even once rebuilt under that tag`
      : '; a tag that resolves to it at pull time is not blocked';
    return [
      {
        target: `${workload.cluster}/${digest}`,
        reason: `deny new pods of this image anywhere in the cluster until it is rebuilt: ${why}${tag}`,
        scope: imageBlockScope({ digest, ...(tagReference ? { tagReference } : {}) }),
      },
    ];
  },
});
