/**
 * Markdown for the sticky comment and the step summary. The body holds a table for people and,
 * per service, hidden metadata for the next run; it never exceeds GitHub's 65,536-character
 * comment limit: long details are cut (with a note), never the update.
 */
import { summaryTable, type TableCell } from '../runtime/summary.js';
import {
  COMMENT_MARKER,
  SECTION_MARKER,
  encodeMeta,
  mergeSections,
  type PreviewState,
  type ServiceSection,
} from './comment-model.js';

/** GitHub rejects issue comment bodies longer than this (characters). */
export const COMMENT_BODY_LIMIT = 65_536;

export interface RenderContext {
  /** https://github.com (GITHUB_SERVER_URL) */
  serverUrl: string;
  /** owner/name */
  repository: string;
}

export const STATE_LABEL: Record<PreviewState, string> = {
  queued: '⏳ queued',
  building: '🔨 building',
  deploying: '🚀 deploying',
  ready: '✅ ready',
  failed: '❌ failed',
  'tearing-down': '🧹 tearing down',
  destroyed: '🗑️ destroyed',
  skipped: '⏭️ skipped',
  sleeping: '💤 sleeping',
};

/** The state cell: the label, then the section's note (e.g. how to wake a sleeping preview). */
function stateCell(s: ServiceSection): string {
  return s.stateNote ? `${STATE_LABEL[s.state]} — ${cell(s.stateNote)}` : STATE_LABEL[s.state];
}

/** Shown text that cannot open a hidden section (the table's `summaryTable` escapes `|` and line breaks). */
const cell = (s: string): string => s.replace(/<!--/g, '&lt;!--');
const code = (s: string): string => `\`${cell(s).replace(/`/g, "'")}\``;
const isHttp = (u: string | undefined): u is string => typeof u === 'string' && /^https?:\/\//i.test(u);
/** An href that cannot end the markdown link early. */
const href = (u: string): string =>
  u.replace(/[()|<> ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
const link = (text: string, u: string): string => `[${text.replace(/[[\]|]/g, '')}](${href(u)})`;

function commitCell(s: ServiceSection, ctx: RenderContext): string {
  if (!s.sha) return '';
  const short = s.sha.slice(0, 7);
  return /^[0-9a-f]{7,64}$/i.test(s.sha)
    ? `[\`${short}\`](${href(`${ctx.serverUrl.replace(/\/$/, '')}/${ctx.repository}/commit/${s.sha}`)})`
    : code(short);
}

function linksCell(s: ServiceSection): string {
  const links: string[] = [];
  if (isHttp(s.runUrl)) links.push(link(s.runAttempt > 1 ? `run (attempt ${s.runAttempt})` : 'run', s.runUrl));
  if (isHttp(s.vaultUrl)) links.push(link('Vault', s.vaultUrl));
  return links.join(' · ');
}

/** The image, and whether this run built it or reused the one its content tag named. */
function imageCell(s: ServiceSection): string {
  if (!s.image) return '';
  const how = IMAGE_SOURCE_LABEL[s.imageSource ?? ''];
  return how ? `${code(s.image)} (${how})` : code(s.image);
}
const IMAGE_SOURCE_LABEL: Record<string, string> = { built: 'rebuilt', reused: 'reused, inputs unchanged' };

function row(s: ServiceSection, ctx: RenderContext): TableCell[] {
  const preview = isHttp(s.url) ? link(s.url.replace(/^https?:\/\//i, '').replace(/\/$/, ''), s.url) : '';
  return [
    code(s.service),
    stateCell(s),
    preview,
    commitCell(s, ctx),
    imageCell(s),
    s.namespace ? code(s.namespace) : '',
    linksCell(s),
  ];
}

/** The per-service table shared by the comment and the job summary. */
export function renderStatusTable(sections: ServiceSection[], ctx: RenderContext): string {
  return summaryTable(
    ['service', 'state', 'preview', 'commit', 'image', 'namespace', 'links'],
    mergeSections(sections).map((s) => row(s, ctx)),
  );
}

function detailsBlocks(sections: ServiceSection[]): string[] {
  return sections
    .filter((s) => s.details)
    .map((s) => {
      const title = s.state === 'failed' ? 'why it failed' : 'details';
      // Shown text must not open a hidden section of its own or close the block early.
      const shown = s.details!.replace(/<!--/g, '&lt;!--').replace(/<\/details>/gi, '&lt;/details>');
      return `<details><summary><code>${s.service.replace(/[<>&]/g, '')}</code>: ${title}</summary>\n\n${shown}\n\n</details>`;
    });
}

function renderUnbounded(sections: ServiceSection[], ctx: RenderContext): string {
  const parts = [COMMENT_MARKER, '### Preview environment', '', renderStatusTable(sections, ctx), ''];
  const costs = sections.filter((s) => s.cost).map((s) => `💰 \`${s.service.replace(/`/g, "'")}\`: ${cell(s.cost!)}`);
  if (costs.length) parts.push(...costs.flatMap((c) => [c, '']));
  const details = detailsBlocks(sections);
  if (details.length) parts.push(...details.flatMap((d) => [d, '']));
  parts.push(...sections.map((s) => `${SECTION_MARKER}${encodeMeta(s)} -->`));
  parts.push(
    '',
    '<sub>Kept up to date by preview-fleet: one comment per pull request, each service row from its newest run.</sub>',
  );
  return parts.join('\n');
}

/** The first `keep` UTF-16 units of `text`, not splitting a surrogate pair. */
function cut(text: string, keep: number): string {
  let k = Math.max(0, Math.min(keep, text.length));
  const c = text.charCodeAt(k - 1);
  if (k > 0 && c >= 0xd800 && c <= 0xdbff) k -= 1;
  return text.slice(0, k);
}

/** Details cut to `keep` characters with a note saying how much is missing and where it is. */
export function truncateDetails(details: string, keep: number, runUrl?: string): string {
  if (details.length <= keep) return details;
  const where = isHttp(runUrl) ? `the [run log](${href(runUrl)})` : 'the run log';
  return `${cut(details, keep)}\n\n_… truncated: the first ${keep} of ${details.length} characters are shown (GitHub limits a comment to ${COMMENT_BODY_LIMIT.toLocaleString(
    'en-US',
  )} characters); the full text is in ${where}._`;
}

/**
 * The comment body for these sections, at most `limit` characters. When too long, every
 * section's details are cut to one common length (the largest that fits), each with a note.
 */
export function renderStatusComment(
  sections: ServiceSection[],
  ctx: RenderContext,
  limit = COMMENT_BODY_LIMIT,
): string {
  const merged = mergeSections(sections);
  const full = renderUnbounded(merged, ctx);
  if (full.length <= limit) return full;
  const withCap = (cap: number): ServiceSection[] =>
    merged.map((s) =>
      s.details && s.details.length > cap ? { ...s, details: truncateDetails(s.details, cap, s.runUrl) } : s,
    );
  const longest = Math.max(0, ...merged.map((s) => s.details?.length ?? 0));
  let lo = 0;
  let hi = Math.min(longest, limit); // details longer than the whole limit can never fit
  if (renderUnbounded(withCap(0), ctx).length <= limit) {
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (renderUnbounded(withCap(mid), ctx).length <= limit) lo = mid;
      else hi = mid - 1;
    }
    return renderUnbounded(withCap(lo), ctx);
  }
  // Even without details the sections do not fit (hundreds of services or huge fields): drop
  // the details and, as a last resort, cut the body; the update itself never fails.
  const bare = renderUnbounded(
    merged.map((s) => ({ ...s, details: undefined })),
    ctx,
  );
  if (bare.length <= limit) return bare;
  const note = "\n\n_… truncated: this comment exceeded GitHub's 65,536-character limit._";
  return cut(bare, limit - note.length) + note;
}
