import { describe, expect, it } from 'vitest';
import type { ServiceSection } from '../../src/github/comment-model.js';
import { teardownSections } from '../../src/github/teardown-sections.js';

const held: ServiceSection[] = [
  {
    service: 'web',
    state: 'ready',
    runId: 10,
    runAttempt: 1,
    updatedAt: '2026-01-01T00:00:00.000Z',
    url: 'https://web-pr-7.preview.test',
    image: 'reg/web:abc',
    namespace: 'preview-pr-7',
    sha: 'abc1234',
  },
];
const base = { services: ['api'], runId: 11, runAttempt: 1, now: Date.parse('2026-01-02T00:00:00Z') };

describe('teardownSections (GitHub comment and forge note share it)', () => {
  it('moves every held and named service to the state in one edit; the first carries the details', () => {
    const s = teardownSections(held, { ...base, state: 'destroyed', details: '| table |' });
    expect(s.map((x) => [x.service, x.state, x.details])).toEqual([
      ['api', 'destroyed', '| table |'],
      ['web', 'destroyed', undefined],
    ]);
    const web = s.find((x) => x.service === 'web')!;
    expect(web).toMatchObject({ namespace: 'preview-pr-7', sha: 'abc1234', updatedAt: '2026-01-02T00:00:00.000Z' });
    expect(web.url).toBeUndefined();
  });

  it('a sleeping preview keeps its links and shows how it wakes', () => {
    const s = teardownSections(held, { ...base, services: [], state: 'sleeping', stateNote: 'push to wake' });
    expect(s).toEqual([
      expect.objectContaining({
        state: 'sleeping',
        url: held[0]!.url,
        image: held[0]!.image,
        stateNote: 'push to wake',
      }),
    ]);
  });

  it('an older run does not overwrite a newer section (newer run wins)', () => {
    const s = teardownSections(held, { ...base, runId: 9, state: 'destroyed' });
    expect(s.find((x) => x.service === 'web')!.state).toBe('ready');
  });
});
