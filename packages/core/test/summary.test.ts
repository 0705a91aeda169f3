/** The one markdown table builder: a value can never end its row or the table early. */
import { describe, expect, it } from 'vitest';
import { summaryTable, tableCell } from '../src/runtime/summary.js';
import { renderRemovalTable } from '../src/lifecycle/teardown.js';

describe('summaryTable', () => {
  it('builds the header, the --- row and one row per entry; undefined is an empty cell', () => {
    expect(
      summaryTable(
        ['a', 'b'],
        [
          ['x', 1],
          [true, undefined],
        ],
      ),
    ).toBe('| a | b |\n| --- | --- |\n| x | 1 |\n| true |  |');
  });

  it('escapes | and folds line breaks, so a Helm error with both stays in its cell', () => {
    expect(tableCell('a|b\nc\r\nd\re')).toBe('a\\|b c d e');
    const table = summaryTable(['detail'], [['Error: x | y\nsecond line']]);
    expect(table.split('\n')).toHaveLength(3);
    expect(table.split('\n')[2]).toBe('| Error: x \\| y second line |');
  });

  it('is what the removal table uses (the same cells as before the helper)', () => {
    expect(renderRemovalTable([{ kind: 'namespace', name: 'preview-pr-1', status: 'failed', reason: 'a|b\nc' }])).toBe(
      '| resource | name | result | detail |\n| --- | --- | --- | --- |\n| namespace | `preview-pr-1` | ❌ failed | a\\|b c |',
    );
  });
});
