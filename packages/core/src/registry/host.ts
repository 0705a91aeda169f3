/** Registry hosts as image references name them: `host[:port]`, no scheme, no path. */
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOST = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*|\\[[0-9A-Fa-f:.]+\\])(?::(\\d{1,5}))?$`);

/** True for `registry.example.com`, `127.0.0.1:5000`, `[::1]:5000`; false for URLs, paths, empty ports. */
export function isRegistryHost(value: string): boolean {
  const m = HOST.exec(value);
  if (!m || value.length > 253) return false;
  return m[1] === undefined || (Number(m[1]) >= 1 && Number(m[1]) <= 65535);
}
