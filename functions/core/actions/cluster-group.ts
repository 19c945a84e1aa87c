/** The Kubernetes group the stack's EKS access entries put the containment function's role in; `pivotguard rbac` binds the actions' RBAC to it. */
export const CONTAINMENT_GROUP = 'pivotguard-containment';
