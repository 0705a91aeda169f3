/**
 * The smoke command: a command line split into argv the way a POSIX shell would split words
 * (quotes and backslashes), but run WITHOUT a shell — no expansion, no pipes, no `;`.
 */
import { InputError } from '../runtime/errors.js';

/**
 * Splits `raw` into words; shell operators are refused, since nothing would interpret them.
 * `$NAME` / `${NAME}` outside single quotes expands only for the names in `vars` (e.g.
 * PREVIEW_URL); any other `$` text stays literal.
 */
export function splitCommandLine(input: string, raw: string, vars: Record<string, string> = {}): string[] {
  const expand = (i: number): { value: string; end: number } | undefined => {
    const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(raw.slice(i));
    const name = m?.[1] ?? m?.[2];
    if (!m || name === undefined || !(name in vars)) return undefined;
    return { value: vars[name]!, end: i + m[0].length - 1 };
  };
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else cur += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < raw.length && '"\\$`'.includes(raw[i + 1]!)) cur += raw[++i];
      else if (c === '$' && expand(i)) {
        const e = expand(i)!;
        cur += e.value;
        i = e.end;
      } else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < raw.length) {
      if (raw[i + 1] !== '\n') cur += raw[i + 1];
      i++;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else if ('|&;<>`'.includes(c) || (c === '$' && raw[i + 1] === '(')) {
      throw new InputError(
        input,
        raw,
        'must be one command with arguments; it runs without a shell, so | & ; < > ` and $( ) are not allowed',
        'Put a pipeline in a script and run the script',
      );
    } else if (c === '$' && expand(i)) {
      const e = expand(i)!;
      cur += e.value;
      i = e.end;
      inWord = true;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new InputError(input, raw, `must close every quote (an unmatched ${quote} was found)`);
  if (inWord) words.push(cur);
  return words;
}
