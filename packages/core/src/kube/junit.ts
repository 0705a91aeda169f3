/**
 * Smoke results from a JUnit XML report — the format Playwright's `junit` reporter, Jest
 * (jest-junit), pytest (`--junitxml`) and Go (go-junit-report) all write — parsed with
 * fast-xml-parser (CDATA, entities and nesting are XML's business, not a regular expression's),
 * and rendered for the PR comment: counts, failing tests with their first message line
 * (redacted), duration and a link to the run.
 */
import { XMLParser } from 'fast-xml-parser';
import { redact } from '../runtime/secrets.js';

export interface JUnitFailure {
  /** `classname › name` (or just the name). */
  name: string;
  /** First non-empty line of the failure's message or text, trimmed, secrets redacted. */
  message: string;
}

export interface JUnitResult {
  tests: number;
  passed: number;
  failed: number;
  skipped: number;
  durationMs: number;
  failures: JUnitFailure[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  isArray: (name: string) => ['testsuites', 'testsuite', 'testcase', 'failure', 'error'].includes(name),
  processEntities: true,
  htmlEntities: false,
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
});

const list = (v: unknown): any[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const seconds = (v: unknown): number | undefined => {
  const n = Number(String(v ?? '').replace(/,/g, ''));
  return v !== undefined && Number.isFinite(n) && n >= 0 ? n : undefined;
};

function text(node: any): string {
  if (node === undefined || node === null) return '';
  if (typeof node !== 'object') return String(node);
  return String(node['#text'] ?? '');
}

/** First non-empty line, trimmed to 200 characters, with every masked secret redacted. */
function firstLine(...candidates: string[]): string {
  for (const c of candidates) {
    const line = c
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find((l) => l !== '');
    if (line) {
      const r = redact(line);
      return r.length > 200 ? `${r.slice(0, 199)}…` : r;
    }
  }
  return '';
}

/** Every `<testsuite>` element, however `<testsuites>` and `<testsuite>` nest. */
function suites(node: any): any[] {
  const out: any[] = [];
  for (const s of list(node?.testsuites)) out.push(...suites(s));
  for (const s of list(node?.testsuite)) out.push(s, ...suites(s));
  return out;
}

/** Parses a JUnit XML report; throws on text that is not XML or has no test suite. */
export function parseJUnit(xml: string): JUnitResult {
  const doc = parser.parse(xml, true);
  const roots: any[] = list(doc.testsuites).length ? list(doc.testsuites) : list(doc.testsuite);
  if (roots.length === 0) throw new Error('not a JUnit report: no <testsuites> or <testsuite> element');
  const all = suites(doc);
  const result: JUnitResult = { tests: 0, passed: 0, failed: 0, skipped: 0, durationMs: 0, failures: [] };
  let caseSeconds = 0;
  for (const suite of all) {
    for (const c of list(suite.testcase)) {
      result.tests++;
      caseSeconds += seconds(c['@time']) ?? 0;
      const bad = [...list(c.failure), ...list(c.error)];
      if (bad.length) {
        result.failed++;
        const f = bad[0];
        const name =
          [c['@classname'], c['@name']].filter((x) => typeof x === 'string' && x !== '').join(' › ') ||
          '(unnamed test)';
        result.failures.push({
          name: redact(name),
          message: firstLine(String(f?.['@message'] ?? ''), text(f), String(f?.['@type'] ?? '')),
        });
      } else if (c.skipped !== undefined) {
        result.skipped++;
      } else {
        result.passed++;
      }
    }
  }
  const rootSeconds = roots.map((r) => seconds(r['@time'])).filter((t): t is number => t !== undefined);
  // <testsuites time> is the wall time (suites may run in parallel); else the suites', else the cases'.
  const suiteSeconds = all.map((s) => seconds(s['@time'])).filter((t): t is number => t !== undefined);
  const total = rootSeconds.length
    ? rootSeconds.reduce((a, b) => a + b, 0)
    : suiteSeconds.length
      ? suiteSeconds.reduce((a, b) => a + b, 0)
      : caseSeconds;
  result.durationMs = Math.round(total * 1000);
  return result;
}

/** One line of counts: `✅ 12 passed · 0 failed · 1 skipped in 4.2 s`. */
export function junitCounts(r: JUnitResult): string {
  return `${r.failed ? '❌' : '✅'} ${r.passed} passed · ${r.failed} failed · ${r.skipped} skipped in ${(r.durationMs / 1000).toFixed(1)} s`;
}

/** Markdown for the comment's details: counts, up to `maxFailures` failing tests, the link. */
export function renderJUnit(r: JUnitResult, o: { link?: string; maxFailures?: number } = {}): string {
  const max = o.maxFailures ?? 20;
  const esc = (s: string) =>
    s.replace(/[|`<>]/g, (c) => (c === '|' ? '\\|' : c === '`' ? "'" : c === '<' ? '&lt;' : '&gt;'));
  const lines = [`**Smoke tests:** ${junitCounts(r)}${o.link ? ` — [report](${o.link})` : ''}`];
  for (const f of r.failures.slice(0, max)) lines.push(`- \`${esc(f.name)}\`${f.message ? `: ${esc(f.message)}` : ''}`);
  if (r.failures.length > max) lines.push(`- … and ${r.failures.length - max} more`);
  return lines.join('\n');
}
