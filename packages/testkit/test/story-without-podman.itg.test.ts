/**
 * `npm run sandbox` on a machine without podman, as a person would start it (npm runs the
 * `presandbox` tool extraction first): the story must say what it really did — deployed the
 * pre-pushed image, built nothing — and never claim a rebuild.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HIDE_PODMAN_ENV } from '@preview-fleet/sandbox/registry';
import { repoRoot } from '../src/tools.js';

function npmRunSandbox(env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', 'sandbox'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

describe('npm run sandbox without podman', () => {
  it('deploys the pre-pushed image and says so: "no build here", never "rebuilt"', async () => {
    const { code, out } = await npmRunSandbox({ ...process.env, [HIDE_PODMAN_ENV]: '1' });
    expect(code, out).toBe(0);
    expect(out).toContain(`not here: registry: podman hidden by ${HIDE_PODMAN_ENV}=1`);
    expect(out).toContain(
      `✔ deployed the pre-pushed image registry.sandbox.test/app:prebuilt; no build here: podman hidden by ${HIDE_PODMAN_ENV}=1`,
    );
    expect(out).toMatch(
      /✔ redeployed the pre-pushed image registry\.sandbox\.test\/app:prebuilt for [0-9a-f]{7}; no build here/,
    );
    expect(out).toContain('✔ re-run deployed the same pre-pushed image');
    expect(out).not.toMatch(/\brebuil|\bimage built/i); // word start: the image tag is "prebuilt"
    expect(out).toContain('story complete: every step did what it should, nothing left behind');
  }, 600_000);
});
