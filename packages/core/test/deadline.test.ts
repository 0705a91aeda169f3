/**
 * The step deadline (runtime/deadline.ts) on Vitest's fake timers: it fires after exactly the
 * step's timeout, names the most recent outstanding wait first, cuts inner waits to what is left,
 * and kills the child processes it was told about.
 */
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  describeTimeout,
  killChildren,
  onStepTimeout,
  remainingMs,
  setStepTimeout,
  StepTimeoutError,
  trackChild,
  waitingOn,
  withinDeadline,
} from '../src/runtime/deadline.js';

/** A promise that settles only when the test says so: a request that is still outstanding. */
function pending(): { promise: Promise<string>; answer(v: string): void } {
  let answer!: (v: string) => void;
  const promise = new Promise<string>((resolve) => {
    answer = resolve;
  });
  return { promise, answer };
}

describe('step deadline (fake clock)', () => {
  let disarm: () => void;
  let fired: StepTimeoutError[];
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00Z') });
    fired = [];
    disarm = onStepTimeout((err) => fired.push(err));
  });
  afterEach(() => {
    disarm();
    vi.useRealTimers();
  });

  it('without a deadline nothing is cut: remainingMs is Infinity and withinDeadline returns the budget', () => {
    disarm();
    expect(remainingMs()).toBe(Number.POSITIVE_INFINITY);
    expect(withinDeadline(90_000, 30_000)).toBe(90_000);
  });

  it('fires once, at the timeout and not before, naming the system still waited on', async () => {
    const vault = pending();
    const read = waitingOn('Vault at https://vault.test:8200', 'GET secret/data/stage/app', () => vault.promise);
    setStepTimeout(20_000);
    await vi.advanceTimersByTimeAsync(19_999);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeInstanceOf(StepTimeoutError);
    expect(fired[0]!.timeoutMs).toBe(20_000);
    expect(fired[0]!.message).toBe(
      'Vault at https://vault.test:8200 did not answer within 20s (step timeout; waiting 20s for GET secret/data/stage/app)',
    );
    vault.answer('late');
    await expect(read).resolves.toBe('late');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fired).toHaveLength(1);
  });

  it('a wait that ended is forgotten: the message names only what is still outstanding, newest first, each system once', async () => {
    const done = pending();
    const gh = pending();
    const kube1 = pending();
    const kube2 = pending();
    const finished = waitingOn('ECR in eu-west-1', 'DescribeRepositories app', () => done.promise);
    void waitingOn('the GitHub API at https://api.github.test', 'GET /repos/a/b/pulls/1', () => gh.promise);
    await vi.advanceTimersByTimeAsync(2_000);
    void waitingOn(
      () => 'the Kubernetes API at https://k8s.test',
      'kubectl get namespace',
      () => kube1.promise,
    );
    void waitingOn(
      () => 'the Kubernetes API at https://k8s.test',
      'helm history',
      () => kube2.promise,
    );
    done.answer('ok');
    await finished;
    await vi.advanceTimersByTimeAsync(3_000);
    expect(describeTimeout(60_000)).toBe(
      [
        'the Kubernetes API at https://k8s.test did not answer within 1m (step timeout; waiting 3s for kubectl get namespace)',
        'the GitHub API at https://api.github.test did not answer within 1m (step timeout; waiting 5s for GET /repos/a/b/pulls/1)',
      ].join('\n'),
    );
    for (const p of [gh, kube1, kube2]) p.answer('');
  });

  it('a system name that cannot be computed, and no wait at all, still give a message', async () => {
    const p = pending();
    void waitingOn(
      () => {
        throw new Error('no kubeconfig');
      },
      undefined,
      () => p.promise,
    );
    expect(describeTimeout(5_000)).toBe(
      'an outside system did not answer within 5s (step timeout; waiting 0s for a reply)',
    );
    p.answer('');
    await vi.advanceTimersByTimeAsync(0);
    expect(describeTimeout(5_000)).toBe('The step did not finish within its timeout of 5s');
  });

  it('inner waits get what is left less a reserve, never below the floor', async () => {
    setStepTimeout(60_000);
    expect(remainingMs()).toBe(60_000);
    expect(withinDeadline(300_000, 10_000)).toBe(50_000);
    expect(withinDeadline(20_000, 10_000)).toBe(20_000);
    await vi.advanceTimersByTimeAsync(55_000);
    expect(remainingMs()).toBe(5_000);
    expect(withinDeadline(300_000, 10_000)).toBe(1_000);
    expect(withinDeadline(300_000, 10_000, 2_500)).toBe(2_500);
    expect(fired).toEqual([]);
  });

  it('re-arming replaces the deadline; disarming cancels it', async () => {
    setStepTimeout(10_000);
    await vi.advanceTimersByTimeAsync(8_000);
    setStepTimeout(10_000);
    await vi.advanceTimersByTimeAsync(8_000);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(fired.map((e) => e.timeoutMs)).toEqual([10_000]);
    setStepTimeout(10_000);
    disarm();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(fired).toHaveLength(1);
    expect(remainingMs()).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('child processes', () => {
  it('killChildren kills a tracked child that is still running, and forgets one that exited', async () => {
    const quick = spawn(process.execPath, ['-e', '0']);
    trackChild(quick);
    await new Promise((resolve) => quick.once('exit', resolve));
    const stuck = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    trackChild(stuck);
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      stuck.once('exit', (_code, signal) => resolve(signal)),
    );
    expect(killChildren()).toBe(1);
    await expect(exited).resolves.toBe('SIGKILL');
    expect(killChildren()).toBe(0);
  });
});
