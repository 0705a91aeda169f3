/**
 * `npm run sandbox -- gitlab`: the GitLab story — the example `.gitlab-ci.yml`'s jobs run by
 * gitlab-ci-local with the bundled CLI against the sandbox and the GitLab stand-in:
 *
 *  1. MR !1 labelled `preview`    → preview:deploy: namespace, release, Vault copy, one note with the URL
 *  2. a push to !1                → preview:deploy again: redeployed, still one note
 *  3. the stop job                → preview:stop: everything removed, the note says destroyed
 *  4. MR !2 deployed, then closed without its stop job → the scheduled preview:reap removes it
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox } from '@preview-fleet/sandbox';
import { startGitLab } from '@preview-fleet/sandbox/gitlab';
import { CLI_BUNDLE, checkout, jobVariables, writeStageSecrets } from './gitlab-pipeline.js';

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
  const co = checkout();
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
      home: co.dir,
    };
    const store = sandbox.kube!.store;
    const ns = (iid: number) => store.get(store.types.byKind('Namespace')!, '', `preview-pr-${iid}`) !== undefined;
    const notes = (iid: number) =>
      gl.notes(projectId, iid).filter((n) => String(n.body).startsWith(MARKER) && n.author.username === user.username);
    const job = async (name: string, vars: Record<string, string>, manual = false) => {
      print(`  $ gitlab-ci-local ${manual ? '--manual ' : ''}${name}`);
      const r = await co.run(name, vars, { manual });
      if (r.exitCode !== 0)
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
    const d1 = await job('preview:deploy', jobVariables(world, { iid: mr.iid, sha: mr.sha, labels: ['preview'] }));
    const url = `https://app-pr-${mr.iid}.${world.domain}`;
    check(d1.exitCode === 0 && ns(mr.iid), `deployed into preview-pr-${mr.iid}`);
    check(notes(mr.iid).length === 1 && notes(mr.iid)[0]!.body.includes(url), `one MR note with ${url}`);
    check(
      readFileSync(join(co.dir, 'preview.env'), 'utf8').includes(`PREVIEW_URL=${url}`),
      'environment url in preview.env',
    );

    print('\n2. a push to !1');
    const sha2 = gl.push(projectId, mr.iid);
    const d2 = await job('preview:deploy', jobVariables(world, { iid: mr.iid, sha: sha2, labels: ['preview'] }));
    check(d2.exitCode === 0 && notes(mr.iid).length === 1, 'redeployed, still one note');
    check(notes(mr.iid)[0]!.body.includes(sha2.slice(0, 7)), `the note shows ${sha2.slice(0, 7)}`);

    print('\n3. the stop job');
    const s = await job('preview:stop', jobVariables(world, { iid: mr.iid, sha: sha2, labels: ['preview'] }), true);
    check(s.exitCode === 0 && !ns(mr.iid), `preview-pr-${mr.iid} removed`);
    check(/destroyed/.test(notes(mr.iid)[0]?.body ?? ''), 'the note says destroyed');

    print('\n4. MR !2 closed without its stop job; the scheduled reaper');
    const mr2 = gl.openMergeRequest(projectId, { labels: ['preview'] });
    const d3 = await job('preview:deploy', jobVariables(world, { iid: mr2.iid, sha: mr2.sha, labels: ['preview'] }));
    check(d3.exitCode === 0 && ns(mr2.iid), `!${mr2.iid} deployed`);
    gl.closeMergeRequest(projectId, mr2.iid);
    const reap = await job('preview:reap', jobVariables(world, undefined));
    check(reap.exitCode === 0 && !ns(mr2.iid), `the reaper removed preview-pr-${mr2.iid}`);
  } finally {
    co.remove();
    await gl.stop();
    await sandbox.stop();
  }
  print(failures.length ? `\n${failures.length} check(s) failed` : '\nevery check passed');
  return failures.length === 0;
}
