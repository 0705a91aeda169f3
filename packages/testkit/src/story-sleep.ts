/**
 * The story's scale-to-zero step (issue 19): with the KEDA HTTP add-on in the sandbox, a preview
 * idle for its `scaledownPeriod` (2 s here, 30 min by default) is scaled to 0; a deploy left
 * asleep (`warm-up: false`) shows 💤 in the comment; the next visit is held by the interceptor,
 * wakes the app and answers 200 — with where its cold start went.
 */
import type { Sandbox } from '@preview-fleet/sandbox';
import type { ActionRun } from './run-action-process.js';

/** The chart values that make a story preview sleep after 2 s (real timers, not a fake clock). */
export const QUICK_SLEEP_VALUES = 'scaleToZero:\n  scaledownPeriod: 2\n  initialCooldownPeriod: 2\n';

/** Resolves true once `ns`/`name` is at 0 replicas with no pod left, false after `ms`. */
export function asleep(sandbox: Sandbox, ns: string, name: string, ms: number): Promise<boolean> {
  const store = sandbox.kube!.store;
  const check = () =>
    (store.get(store.types.byKind('Deployment')!, ns, name)?.spec as { replicas?: number } | undefined)?.replicas ===
      0 &&
    !store
      .list(store.types.byKind('Pod')!, ns)
      .some((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'app');
  return new Promise((resolve) => {
    if (check()) return resolve(true);
    const done = (v: boolean) => {
      off();
      clearTimeout(timer);
      resolve(v);
    };
    const off = store.subscribe(() => check() && done(true));
    const timer = setTimeout(() => done(false), ms);
  });
}

/** Step 3b: PR `pr` goes to sleep, a deploy leaves it asleep, a visit wakes it. */
export async function sleepAndWake(
  sandbox: Sandbox,
  pr: number,
  redeploy: () => Promise<ActionRun>,
  visit: (host: string, login: string) => Promise<number>,
  commentBody: () => string,
  expect: (ok: boolean, what: string) => void,
  print: (line: string) => void,
): Promise<void> {
  const ns = `preview-pr-${pr}`;
  const host = `app-pr-${pr}.${sandbox.ingress!.domain}`;
  const slept = await asleep(sandbox, ns, `app-pr-${pr}`, 15_000);
  expect(slept, `idle for scaledownPeriod (2 s here), KEDA scaled app-pr-${pr} to 0 replicas`);
  const r = await redeploy();
  expect(
    r.exitCode === 0 && commentBody().includes('💤 sleeping — wakes on the first request'),
    'a redeploy with warm-up: false leaves it asleep: the comment says 💤 sleeping — wakes on the first request',
  );
  const res = await fetch(`${sandbox.env.VAULT_ADDR}/v1/secret/data/preview/app-${pr}`, {
    headers: { 'x-vault-token': sandbox.env.VAULT_TOKEN! },
  });
  const values = ((await res.json()) as { data?: { data?: Record<string, string> } }).data?.data ?? {};
  const before = sandbox.keda!.wakes().length;
  const status = await visit(
    host,
    `${values.PREVIEW_BASIC_AUTH_USER ?? ''}:${values.PREVIEW_BASIC_AUTH_PASSWORD ?? ''}`,
  );
  const wake = sandbox
    .keda!.wakes()
    .slice(before)
    .find((w) => w.host === host);
  expect(
    status === 200 && wake?.status === 200,
    `the first visit is held by the interceptor, wakes it and answers ${status}` +
      (wake
        ? ` in ${(wake.totalMs / 1000).toFixed(2)} s (scale ${wake.scaleMs.toFixed(0)} ms, pod ready ${wake.podReadyMs.toFixed(0)} ms, forward ${wake.forwardMs.toFixed(0)} ms)`
        : ''),
  );
  print(
    `  (KEDA scalings of ${ns}: ${sandbox
      .keda!.scalings()
      .filter((s) => s.namespace === ns)
      .map((s) => s.replicas)
      .join(' → ')})`,
  );
}
