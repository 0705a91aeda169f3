/**
 * Issue 19 §3 through the bundled all-in-one action: max-previews is decided BEFORE the build and
 * the Vault copy. A deploy over a full cap (cap-policy fail) fails with a comment naming the cap
 * and the previews holding it, and nothing is built, pushed, seeded or created.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newMarks } from '@preview-fleet/core';
import { namespaceManifest } from '@preview-fleet/core/kube';
import { startSandbox, type Sandbox } from '@preview-fleet/sandbox';
import { repoRoot, toolPaths } from '@preview-fleet/testkit/tools';
import { pullRequestEvent } from '@preview-fleet/testkit/events';
import { runActionProcess } from '@preview-fleet/testkit/run-action-process';

const REPO = 'acme/web';
let sandbox: Sandbox;
let workspace: string;
beforeAll(async () => {
  sandbox = await startSandbox({ only: ['kube', 'github', 'vault', 'ecr'], repository: REPO });
  workspace = mkdtempSync(join(tmpdir(), 'pf-all-in-one-cap-'));
  writeFileSync(join(workspace, 'Dockerfile'), 'FROM scratch\n');
}, 120_000);
afterAll(async () => {
  await sandbox?.stop();
  rmSync(workspace, { recursive: true, force: true });
});

describe('all-in-one: max-previews before the build (bundled)', () => {
  it('a full cap with cap-policy fail: the comment names the cap and its holders; nothing built, seeded or created', async () => {
    const kube = sandbox.kube!;
    const gh = sandbox.github!;
    for (const [pr, day] of [
      [801, '01'],
      [802, '02'],
    ] as const) {
      const marks = newMarks({ repository: REPO, pr, now: Date.parse(`2026-01-${day}T00:00:00Z`), ttlMs: 3_600_000 });
      kube.store.create(
        kube.store.types.get('', 'v1', 'namespaces')!,
        namespaceManifest(`preview-pr-${pr}`, marks) as any,
      );
    }
    const pr = gh.openPullRequest(REPO, { labels: ['preview'] });
    const ecrBefore = (await sandbox.ecr!.requestLog()).length;
    const vaultBefore = sandbox.vault!.requestLog.length;
    const tools = toolPaths();
    const r = await runActionProcess(repoRoot, {
      eventName: 'pull_request',
      event: pullRequestEvent('opened', {
        number: pr.number,
        repository: REPO,
        headSha: pr.head.sha,
        labels: ['preview'],
      }),
      repository: REPO,
      env: { ...sandbox.env, PATH: `${dirname(tools.v34.kubectl)}:${process.env.PATH ?? ''}` },
      cwd: workspace,
      secrets: [sandbox.env.VAULT_TOKEN!, sandbox.env.GITHUB_TOKEN!],
      inputs: {
        services: 'app',
        chart: join(repoRoot, 'workflows-examples/charts/preview'),
        domain: 'preview.example.com',
        'vault-addr': sandbox.env.VAULT_ADDR!,
        role: 'preview',
        'github-token': sandbox.env.GITHUB_TOKEN!,
        'aws-region': 'us-east-1',
        'max-previews': '2',
        'cap-policy': 'fail',
      },
    });
    expect(r.exitCode, r.log).toBe(1);
    const errors = r.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(errors.join('\n')).toContain(`The cap of 2 preview(s) is reached (2 awake); not deploying PR #${pr.number}`);
    const body = String(gh.comments(REPO, pr.number)[0]?.body);
    expect(body).toContain('❌ failed');
    expect(body).toMatch(/Holding it: PR #801 \(preview-pr-801, last deployed 2026-01-01T00:00:00.000Z\), PR #802/);
    expect((await sandbox.ecr!.requestLog()).length).toBe(ecrBefore);
    expect(sandbox.vault!.requestLog.length).toBe(vaultBefore);
    expect(
      kube.store.get(kube.store.types.get('', 'v1', 'namespaces')!, undefined, `preview-pr-${pr.number}`),
    ).toBeUndefined();
    expect(r.leaks).toEqual([]);
  });
});
