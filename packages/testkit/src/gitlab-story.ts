/**
 * `npm run sandbox -- gitlab`: the GitLab story — the example `.gitlab-ci.yml`'s jobs run by
 * gitlab-ci-local (the testkit's `runGitLabCiJob`) with the bundled CLI against the sandbox and the GitLab stand-in:
 *
 *  1. MR !1 labelled `preview`    → preview:deploy: namespace, release, Vault copy, one note with the URL
 *  2. a push to !1                → preview:deploy again: redeployed, still one note
 *  3. the (manual) stop job       → preview:stop: everything removed, the note says destroyed
 *  4. MR !2 deployed, then closed without its stop job → the scheduled preview:reap removes it
 */
import { existsSync } from 'node:fs';
import { startSandbox } from '@preview-fleet/sandbox';
import { startGitLab } from '@preview-fleet/sandbox/gitlab';
import { runGitLabCiJob } from './gitlab-ci-local.js';
import { CLI_BUNDLE, exampleJob, writeStageSecrets, type PipelineMergeRequest } from './gitlab-pipeline.js';

const MARKER = '<!-- preview-fleet:status v1 -->';

/** Plays the story, printing each step and check; true when every check passed. */
export async function playGitLabStory(print: (line: string) => void = (l) => console.log(l)): Promise<boolean> {
  if (!existsSync(CLI_BUNDLE)) {
    print(`${CLI_BUNDLE} is missing: run "npm run build" (or node scripts/build.mjs cli) first`);
    return false;
  }
  const failures: string[] = [];
  const check = (ok: boolean, what: string) => {
    print(`  ${ok ? '✔' : '✘'} ${what}`);
    if (!ok) failures.push(what);
  };
  const sandbox = await startSandbox({ only: ['kube', 'vault', 'ecr'], repository: 'acme/web' });
  const gl = await startGitLab();
  const cleanups: Array<() => void> = [];
  try {
    const projectId = gl.createProject('acme/web').id as number;
    const { token, user } = gl.createProjectAccessToken(projectId);
    await writeStageSecrets(sandbox.env.VAULT_ADDR!, sandbox.env.VAULT_TOKEN!);
    const world = {
      sandboxEnv: sandbox.env,
      gitlabUrl: gl.url,
      projectId,
      projectPath: 'acme/web',
      token,
      domain: sandbox.ingress!.domain,
      image: 'registry.sandbox.test/app:prebuilt',
      idToken: (aud: string | string[]) => sandbox.oidc!.issue(String(aud), { project_path: 'acme/web' }),
      jobToken: gl.createJobToken(projectId),
    };
    const store = sandbox.kube!.store;
    const ns = (iid: number) => store.get(store.types.byKind('Namespace')!, '', `preview-pr-${iid}`) !== undefined;
    const notes = (iid: number) =>
      gl.notes(projectId, iid).filter((n) => String(n.body).startsWith(MARKER) && n.author.username === user.username);
    const mrAt = (iid: number, sha?: string): PipelineMergeRequest => {
      const m = gl.mergeRequest(projectId, iid)!;
      return {
        iid,
        sha: sha ?? (m.sha as string),
        sourceBranch: m.source_branch as string,
        labels: m.labels as string[],
      };
    };
    const job = async (name: string, mr: PipelineMergeRequest | undefined) => {
      print(`  $ gitlab-ci-local ${name}${mr === undefined ? ' (scheduled pipeline)' : ` (MR !${mr.iid})`}`);
      const r = await runGitLabCiJob(exampleJob(world, name, mr));
      cleanups.push(r.cleanup);
      if (!r.passed)
        print(
          r.log
            .split('\n')
            .slice(-25)
            .map((l) => `  ! ${l}`)
            .join('\n'),
        );
      return r;
    };

    print('\n1. MR !1 opened with the "preview" label');
    const mr = gl.openMergeRequest(projectId, { labels: ['preview'], title: 'Checkout: one-click payments' });
    const d1 = await job('preview:deploy', mrAt(mr.iid));
    const url = `https://app-pr-${mr.iid}.${world.domain}`;
    check(d1.passed && ns(mr.iid), `deployed into preview-pr-${mr.iid}`);
    check(notes(mr.iid).length === 1 && notes(mr.iid)[0]!.body.includes(url), `one MR note with ${url}`);
    check(d1.dotenv.PREVIEW_URL === url && d1.environment?.url === url, 'environment url from preview.env');

    print('\n2. a push to !1');
    const sha2 = gl.push(projectId, mr.iid);
    const d2 = await job('preview:deploy', mrAt(mr.iid, sha2));
    check(d2.passed && notes(mr.iid).length === 1, 'redeployed, still one note');
    check(notes(mr.iid)[0]!.body.includes(sha2.slice(0, 7)), `the note shows ${sha2.slice(0, 7)}`);

    print('\n3. the stop job');
    const s = await job('preview:stop', mrAt(mr.iid, sha2));
    check(s.when === 'manual' && s.passed && !ns(mr.iid), `preview-pr-${mr.iid} removed`);
    check(/destroyed/.test(notes(mr.iid)[0]?.body ?? ''), 'the note says destroyed');

    print('\n4. MR !2 closed without its stop job; the scheduled reaper');
    const mr2 = gl.openMergeRequest(projectId, { labels: ['preview'] });
    const d3 = await job('preview:deploy', mrAt(mr2.iid));
    check(d3.passed && ns(mr2.iid), `!${mr2.iid} deployed`);
    gl.closeMergeRequest(projectId, mr2.iid);
    const reap = await job('preview:reap', undefined);
    check(reap.passed && !ns(mr2.iid), `the reaper removed preview-pr-${mr2.iid}`);
  } finally {
    for (const cleanup of cleanups) cleanup();
    await gl.stop();
    await sandbox.stop();
  }
  print(failures.length ? `\n${failures.length} check(s) failed` : '\nevery check passed');
  return failures.length === 0;
}
