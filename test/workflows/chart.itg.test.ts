/**
 * The example chart as the real helm 3.17.3 and 4.1.4 judge it: `helm lint --strict` and
 * `helm template` with the values deploy-helm generates (image, host), checking the rendered
 * kinds a full-stack preview needs.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { repoRoot, toolPaths } from '@preview-fleet/testkit/tools';

const run = promisify(execFile);
const chart = join(repoRoot, 'workflows-examples', 'charts', 'preview');
const values = ['--set', 'image.repository=123456789012.dkr.ecr.eu-west-1.amazonaws.com/app-preview-7', '--set', 'image.tag=preview-abc123', '--set', 'ingress.host=app-pr-7.preview.example.com'];

describe.each([['helm 3', 'v31'], ['helm 4', 'v34']] as const)('example chart with %s', (_name, set) => {
  const helm = toolPaths()[set].helm;

  it('passes helm lint --strict', async () => {
    const { stdout } = await run(helm, ['lint', '--strict', chart, ...values]);
    expect(stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it('renders the app, a per-PR PostgreSQL, the seed hook Job and an Ingress on the PR host', async () => {
    const { stdout } = await run(helm, ['template', 'app-pr-7', chart, '--namespace', 'preview-pr-7', ...values], { maxBuffer: 16 * 1024 * 1024 });
    const docs = parseAllDocuments(stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string; annotations?: Record<string, string> }; spec?: any }).filter(Boolean);
    const kinds = docs.map((d) => d.kind);
    expect(kinds).toEqual(expect.arrayContaining(['Deployment', 'Service', 'Ingress', 'StatefulSet', 'Job']));
    const deployment = docs.find((d) => d.kind === 'Deployment')!;
    expect(deployment.spec.template.spec.containers[0].image).toBe('123456789012.dkr.ecr.eu-west-1.amazonaws.com/app-preview-7:preview-abc123');
    expect(deployment.spec.template.spec.containers[0].readinessProbe).toBeDefined();
    const ingress = docs.find((d) => d.kind === 'Ingress')!;
    expect(ingress.spec.rules[0].host).toBe('app-pr-7.preview.example.com');
    expect(ingress.spec.tls[0].hosts).toContain('app-pr-7.preview.example.com');
    const seed = docs.find((d) => d.kind === 'Job')!;
    expect(seed.metadata.annotations?.['helm.sh/hook']).toMatch(/post-install/);
  });
});
