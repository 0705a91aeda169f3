/**
 * The end-to-end lifecycle: `npm run sandbox`'s story (packages/testkit/src/story.ts) — the
 * bundled all-in-one action against every stand-in, real helm/kubectl/podman — must complete
 * with every check passing and nothing left behind.
 */
import { describe, expect, it } from 'vitest';
import { runStory } from '@preview-fleet/testkit/story';

describe('the whole preview lifecycle, as `npm run sandbox` plays it', () => {
  it('opened → pushed → re-run (no rebuild) ‖ second PR → closed → lost webhook reaped → zero resources left', async () => {
    const lines: string[] = [];
    const result = await runStory({ print: (l) => lines.push(l) });
    expect(result.failures, lines.join('\n')).toEqual([]);
    expect(result.ok).toBe(true);
    // Private by default (issue 16 part 2): 401 without the login, 200 with the one kept in Vault; the app's Secret holds the PR's values.
    for (const check of [
      '✔ private: without a login',
      '✔ with the login kept in Vault',
      "✔ the app's Secret app-pr-",
      // Scale to zero (issue 19): one preview goes to sleep, shows 💤 in the comment, wakes on a visit with 200.
      '✔ idle for scaledownPeriod',
      '✔ a redeploy with warm-up: false leaves it asleep',
      '✔ the first visit is held by the interceptor, wakes it and answers 200',
    ]) {
      expect(
        lines.some((l) => l.includes(check)),
        check,
      ).toBe(true);
    }
    expect(Object.values(result.inventory).flat()).toEqual([]);
    expect(Object.keys(result.inventory)).toEqual([
      'marked namespaces',
      'helm releases',
      'Vault paths under secret/preview/',
      'ECR repositories',
      'active GitHub deployments',
    ]);
    expect(lines.filter((l) => l.includes('✔')).length).toBeGreaterThanOrEqual(20);
  }, 600_000);
});
