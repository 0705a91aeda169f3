/**
 * What a removal did, in one vocabulary shared by every resource kind, so teardown's report and
 * the reaper's plan read the same whichever adapter produced them.
 */
export type RemovalStatus = 'deleted' | 'already-gone' | 'skipped-unmarked' | 'failed';

export type ResourceKind =
  'release' | 'namespace' | 'vault-path' | 'ecr-repository' | 'deployment' | 'environment' | 'comment';

export interface RemovalResult {
  kind: ResourceKind;
  /** The resource's name as its system knows it (release name, namespace, mount/path, repository, deployment id). */
  name: string;
  status: RemovalStatus;
  /** Why it failed or was skipped (redacted, one line). */
  reason?: string;
}
