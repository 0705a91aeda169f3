import { afterEach, describe, expect, it } from 'vitest';
import { forgetSecrets, rememberSecret } from '../../src/index.js';
import { junitCounts, parseJUnit, renderJUnit } from '../../src/kube/junit.js';

afterEach(() => forgetSecrets());

// Playwright's junit reporter: <testsuites> wall time, one suite per file, CDATA failure text.
const PLAYWRIGHT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites id="" name="" tests="4" failures="1" skipped="1" errors="0" time="3.52">
<testsuite name="smoke.spec.ts" timestamp="2026-12-01T10:00:00.000Z" hostname="chromium" tests="4" failures="1" skipped="1" time="5.1" errors="0">
<testcase name="home page loads" classname="smoke.spec.ts" time="1.2"></testcase>
<testcase name="login &amp; logout" classname="smoke.spec.ts" time="0.8">
<failure message="smoke.spec.ts:12:5 login &amp; logout" type="FAILURE">
<![CDATA[  
  Error: expect(locator).toHaveText(expected) failed <b>

  Expected: "Welcome"
]]>
</failure>
</testcase>
<testcase name="search" classname="smoke.spec.ts" time="0.3"><skipped/></testcase>
<testcase name="api health" classname="smoke.spec.ts" time="0.1"><system-out>ok</system-out></testcase>
</testsuite>
</testsuites>`;

// pytest --junitxml: one root <testsuite> inside <testsuites>, <error> without message attribute.
const PYTEST = `<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="1" failures="0" skipped="0" tests="2" time="0.250">
<testcase classname="tests.test_smoke" name="test_ok" time="0.001" />
<testcase classname="tests.test_smoke" name="test_db" time="0.2"><error message="">
requests.exceptions.ConnectionError: token=s3cr3t-token-value refused
more lines</error></testcase></testsuite></testsuites>`;

// Jest (jest-junit) without <testsuites time>; go-junit-report with a bare root <testsuite>.
const GO = `<testsuite name="smoke" tests="2" failures="0" time="1.500"><testcase name="TestA" classname="smoke" time="0.5"/><testcase name="TestB" classname="smoke" time="1.0"/></testsuite>`;

describe('JUnit reports (fast-xml-parser)', () => {
  it("Playwright's report: counts from the test cases, the wall time, the first message line", () => {
    const r = parseJUnit(PLAYWRIGHT);
    expect(r).toEqual({
      tests: 4,
      passed: 2,
      failed: 1,
      skipped: 1,
      durationMs: 3520,
      failures: [{ name: 'smoke.spec.ts › login & logout', message: 'smoke.spec.ts:12:5 login & logout' }],
    });
    expect(junitCounts(r)).toBe('❌ 2 passed · 1 failed · 1 skipped in 3.5 s');
  });

  it("pytest's <error>: the first non-empty line of its text, secrets redacted", () => {
    rememberSecret('s3cr3t-token-value');
    const r = parseJUnit(PYTEST);
    expect(r).toMatchObject({ tests: 2, passed: 1, failed: 1, durationMs: 250 });
    expect(r.failures).toEqual([
      { name: 'tests.test_smoke › test_db', message: 'requests.exceptions.ConnectionError: token=*** refused' },
    ]);
  });

  it('a bare root <testsuite> (go-junit-report); suite time when there is no <testsuites> time', () => {
    expect(parseJUnit(GO)).toEqual({ tests: 2, passed: 2, failed: 0, skipped: 0, durationMs: 1500, failures: [] });
  });

  it('refuses text that is not XML or not JUnit', () => {
    expect(() => parseJUnit('<testsuites><testsuite></testsuites>')).toThrow();
    expect(() => parseJUnit('<html><body>502</body></html>')).toThrow(/not a JUnit report/);
  });

  it('renders counts, failing names with their message (markdown-safe), at most N, and the link', () => {
    const r = parseJUnit(PLAYWRIGHT);
    r.failures.push({ name: 'a|b', message: 'uses `code` and <tags>' }, { name: 'c', message: '' });
    expect(renderJUnit(r, { link: 'https://github.com/acme/web/actions/runs/7', maxFailures: 2 })).toBe(
      [
        '**Smoke tests:** ❌ 2 passed · 1 failed · 1 skipped in 3.5 s — [report](https://github.com/acme/web/actions/runs/7)',
        '- `smoke.spec.ts › login & logout`: smoke.spec.ts:12:5 login & logout',
        "- `a\\|b`: uses 'code' and &lt;tags&gt;",
        '- … and 1 more',
      ].join('\n'),
    );
  });
});
