/**
 * What counts as a transient Kubernetes API failure (a read worth another try), and how much of
 * the step deadline helm's own wait gets — both pure, on Vitest's fake timers where time matters.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CommandError, CommandTimeoutError } from '../../src/exec.js';
import { isKubeTransient } from '../../src/kube/tools.js';
import { HELM_DIAGNOSTICS_RESERVE_MS, helmWaitMs } from '../../src/kube/deploy.js';
import { onStepTimeout, setStepTimeout } from '../../src/runtime/deadline.js';

const failed = (stderr: string, stdout = '') =>
  new CommandError('kubectl get namespace preview-pr-1', { exitCode: 1, stdout, stderr });

describe('isKubeTransient', () => {
  it.each([
    ['Error from server (InternalError): an error on the server ("") has prevented the request from succeeding'],
    ['Error from server (ServiceUnavailable): the server is currently unable to handle the request'],
    [
      'Error from server (TooManyRequests): the server has received too many requests and has asked us to try again later',
    ],
    [
      'Error from server (Timeout): the server was unable to return a response in the time allotted, but may still be processing the request',
    ],
    ['Unable to connect to the server: dial tcp 10.0.0.1:443: i/o timeout'],
    ['Unable to connect to the server: net/http: TLS handshake timeout'],
    [
      'The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?\nconnection refused',
    ],
    ['error: context deadline exceeded'],
    ['Get "https://k8s.test/api": read tcp 127.0.0.1:5000->127.0.0.1:6443: read: connection reset by peer'],
    ['error: unexpected EOF'],
  ])('retries a read that failed with %s', (stderr) => {
    expect(isKubeTransient(failed(stderr))).toBe(true);
  });

  it.each([
    ['Error from server (NotFound): namespaces "preview-pr-1" not found'],
    ['Error from server (Forbidden): namespaces is forbidden: User "ci" cannot list resource "namespaces"'],
    ['Error from server (BadRequest): the server rejected our request'],
    ['Error from server (Conflict): Operation cannot be fulfilled on namespaces "preview-pr-1"'],
    ['error: You must be logged in to the server (Unauthorized)'],
  ])('does not retry a definite answer: %s', (stderr) => {
    expect(isKubeTransient(failed(stderr))).toBe(false);
  });

  it('a process that ran out of time is transient; a failure that is not a kubectl command is not', () => {
    expect(isKubeTransient(new CommandTimeoutError('kubectl get namespaces', 90_000, { stdout: '', stderr: '' }))).toBe(
      true,
    );
    expect(isKubeTransient(failed('', 'Error from server (ServiceUnavailable): try again'))).toBe(true);
    expect(isKubeTransient(new Error('connection refused'))).toBe(false);
    expect(isKubeTransient(undefined)).toBe(false);
  });
});

describe('helmWaitMs: helm --timeout inside the step deadline', () => {
  afterEach(() => vi.useRealTimers());

  it('without a step deadline helm waits the whole timeout (direct callers, tests)', () => {
    expect(helmWaitMs(300_000, false)).toBe(300_000);
    expect(helmWaitMs(300_000, true)).toBe(300_000);
  });

  it('under a deadline: what is left less the diagnostics reserve, halved when a rollback may wait as long again', async () => {
    vi.useFakeTimers({ now: 0 });
    const disarm = onStepTimeout(() => undefined);
    try {
      setStepTimeout(300_000);
      expect(helmWaitMs(300_000, false)).toBe(300_000 - HELM_DIAGNOSTICS_RESERVE_MS);
      expect(helmWaitMs(300_000, true)).toBe((300_000 - HELM_DIAGNOSTICS_RESERVE_MS) / 2);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(helmWaitMs(300_000, false)).toBe(240_000 - HELM_DIAGNOSTICS_RESERVE_MS);
      // A short step keeps a quarter of itself for diagnostics, and helm always gets at least 1 s.
      setStepTimeout(20_000);
      expect(helmWaitMs(20_000, false)).toBe(15_000);
      await vi.advanceTimersByTimeAsync(19_000);
      expect(helmWaitMs(20_000, true)).toBe(1_000);
    } finally {
      disarm();
    }
  });
});
