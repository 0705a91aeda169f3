import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  parseBoolean,
  parseDuration,
  parseKeyValueMap,
  parseList,
  errorText,
  ActionError,
} from '../src/index.js';

describe('parsers accept what they should', () => {
  it('booleans: YAML 1.2 core schema spellings', () => {
    expect(['true', 'True', 'TRUE', ' true '].map((v) => parseBoolean('x', v))).toEqual([true, true, true, true]);
    expect(['false', 'False', 'FALSE'].map((v) => parseBoolean('x', v))).toEqual([false, false, false]);
  });
  it('durations compose units and round-trip through formatDuration', () => {
    expect(parseDuration('t', '90s')).toBe(90_000);
    expect(parseDuration('t', '5m')).toBe(300_000);
    expect(parseDuration('t', '1h30m')).toBe(5_400_000);
    expect(parseDuration('t', '72h')).toBe(259_200_000);
    expect(parseDuration('t', '2d')).toBe(172_800_000);
    expect(parseDuration('t', '250ms')).toBe(250);
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(parseDuration('t', formatDuration(93_784_005))).toBe(93_784_005);
  });
  it('lists split on newlines and commas, trimming blanks', () => {
    expect(parseList('services', 'web, api\nworker\n\n , ')).toEqual(['web', 'api', 'worker']);
  });
  it('maps keep values verbatim: =, commas, quotes', () => {
    const m = parseKeyValueMap('set', 'A=x=y,z\n# comment\n\nB="quoted" \'too\'\nc.d/e-f=');
    expect([...m]).toEqual([
      ['A', 'x=y,z'],
      ['B', '"quoted" \'too\''],
      ['c.d/e-f', ''],
    ]);
  });
  it('errorText turns non-Errors into text and keeps hints', () => {
    expect(errorText('plain')).toBe('plain');
    expect(errorText({ code: 7 })).toBe('non-Error thrown: {"code":7}');
    expect(errorText(undefined)).toBe('undefined was thrown');
    expect(errorText(new ActionError('Helm failed', { hint: 'check the chart' }))).toBe(
      'Helm failed\nHint: check the chart',
    );
  });
});
