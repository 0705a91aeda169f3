import { describe, expect, it } from 'vitest';
import {
  ActionError,
  InputError,
  approvalNote,
  checkApproval,
  parseApproveSha,
  type PullRequestInfo,
} from '../src/index.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const pr = (o: Partial<PullRequestInfo> = {}): PullRequestInfo => ({
  number: 7,
  state: 'open',
  merged: false,
  headSha: A,
  headRef: 'patch-1',
  baseRef: 'main',
  author: 'outsider',
  labels: ['preview'],
  isFork: true,
  ...o,
});

describe('approve-sha (issue 16 part 4)', () => {
  it.each([
    ['', undefined],
    ['  ', undefined],
    [A, A],
    [` ${A.toUpperCase()} `, A],
  ])('parses %j', (raw, expected) => {
    expect(parseApproveSha(raw, 'workflow_dispatch')).toBe(expected);
  });

  it.each(['abc1234', 'a'.repeat(39), 'g'.repeat(40), `${A}0`, 'main'])(
    'refuses %j, naming the input and what it accepts',
    (raw) => {
      expect(() => parseApproveSha(raw, 'workflow_dispatch')).toThrow(InputError);
      expect(() => parseApproveSha(raw, 'workflow_dispatch')).toThrow(
        `Input "approve-sha" must be the full 40-character commit SHA of the PR head you reviewed (or empty), got "${raw}"`,
      );
    },
  );

  it.each(['pull_request', 'pull_request_target', 'push'])(
    'is refused under %s (the PR author cannot approve their own code); empty is fine',
    (eventName) => {
      expect(() => parseApproveSha(A, eventName)).toThrow(
        `Input "approve-sha" is only for workflow_dispatch runs (a maintainer's manual deploy), not "${eventName}" events`,
      );
      expect(parseApproveSha('', eventName)).toBeUndefined();
      // Without an event (a pure input parse) only the form is checked.
      expect(parseApproveSha(A)).toBe(A);
    },
  );

  it('a fork head without approval is refused, naming the head to review', () => {
    expect(() => checkApproval(pr(), undefined)).toThrow(ActionError);
    expect(() => checkApproval(pr(), undefined)).toThrow(
      `Refusing to deploy PR #7: its head ${A} comes from a fork and no approve-sha was given`,
    );
  });

  it('an approval of another commit (the head moved) is refused, naming both SHAs, fork or not', () => {
    for (const isFork of [true, false]) {
      let err: unknown;
      try {
        checkApproval(pr({ headSha: B, isFork }), A);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ActionError);
      expect((err as Error).message).toBe(
        `Refusing to deploy PR #7: approve-sha is ${A} but the PR's head is now ${B}; the code changed after it was approved (or the SHA is not this PR's head)`,
      );
      expect((err as ActionError).hint).toContain(`approve-sha: ${B}`);
    }
  });

  it('the approved head is deployed; an own-branch PR needs no approval', () => {
    expect(checkApproval(pr(), A)).toEqual({ sha: A, fork: true, approved: true });
    expect(checkApproval(pr({ isFork: false }), undefined)).toEqual({ sha: A, fork: false, approved: false });
    expect(checkApproval(pr({ isFork: false }), A)).toEqual({ sha: A, fork: false, approved: true });
  });

  it('the comment note says later pushes wait for a new approval (only for an approved fork)', () => {
    const note = approvalNote({ sha: A, fork: true, approved: true }, 'maintainer');
    expect(note).toContain(`commit \`${A.slice(0, 12)}\`, approved by @maintainer`);
    expect(note).toContain('Pushes after it are not deployed until a maintainer reviews the new head');
    expect(approvalNote({ sha: A, fork: false, approved: true }, 'm')).toBe('');
  });
});
