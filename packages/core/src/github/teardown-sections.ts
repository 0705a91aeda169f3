/**
 * The sections a teardown (or a sleep) writes into the status comment or note, shared by GitHub's
 * sticky comment (lifecycle/teardown-comment.ts) and the forge note (forge/status-note.ts).
 */
import { mergeSections, type PreviewState, type ServiceSection } from './comment-model.js';

export interface TeardownSectionsOptions {
  state: Extract<PreviewState, 'tearing-down' | 'destroyed' | 'failed' | 'sleeping'>;
  /** Services to show besides those already held. */
  services: string[];
  /** Markdown for the first service's details (the removal table). */
  details?: string;
  /** Shown after the state (how a sleeping preview wakes). */
  stateNote?: string;
  /** The hourly estimate to show (a sleeping preview's storage). */
  cost?: string;
  runId: number;
  runAttempt: number;
  runUrl?: string;
  now: number;
}

/**
 * Every service held or named moves to `o.state` in one edit (the first, by name, carries the
 * details), merged over `held` by the newer-run-wins rule; namespace and SHA stay, and a sleeping
 * preview keeps its links because it still exists.
 */
export function teardownSections(held: ServiceSection[], o: TeardownSectionsOptions): ServiceSection[] {
  const names = [...new Set([...held.map((s) => s.service), ...o.services])].sort();
  const updatedAt = new Date(o.now).toISOString();
  const updates: ServiceSection[] = names.map((service, i) => {
    const before = held.find((s) => s.service === service);
    return {
      service,
      state: o.state,
      runId: o.runId,
      runAttempt: o.runAttempt,
      runUrl: o.runUrl,
      updatedAt,
      namespace: before?.namespace,
      sha: before?.sha,
      details: i === 0 ? o.details : undefined,
      stateNote: o.stateNote,
      cost: o.cost,
      ...(o.state === 'sleeping' && before
        ? { url: before.url, image: before.image, vaultUrl: before.vaultUrl, environment: before.environment }
        : {}),
    };
  });
  return mergeSections(held, updates);
}
