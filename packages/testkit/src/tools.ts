/**
 * Where tests find the repository and its real tools: `repoRoot` from this package's own place,
 * the helm/kubectl/Node 24 paths from the sandbox (which hands the same binaries to its clients).
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export { node24Path, toolPaths, type ToolSet, type Tools } from '@preview-fleet/sandbox/tools';

/** Repository root (packages/testkit/src → ../../..). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
