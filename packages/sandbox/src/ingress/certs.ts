/**
 * A throwaway CA and a wildcard certificate for the preview domain, made with the system's
 * openssl (argv, no shell). Clients trust the CA through NODE_EXTRA_CA_CERTS — the same knob a
 * runner behind a TLS-inspecting proxy uses — so the actions need no test-only TLS switch.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SandboxCerts {
  caFile: string;
  key: string;
  cert: string;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function makeCerts(dir: string, domain: string): SandboxCerts {
  const f = (name: string) => join(dir, name);
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  openssl([
    'req',
    '-x509',
    ...EC,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '7',
    '-subj',
    '/CN=preview-fleet sandbox CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  openssl(['req', ...EC, '-keyout', f('leaf.key'), '-out', f('leaf.csr'), '-subj', `/CN=*.${domain}`]);
  writeFileSync(
    f('leaf.ext'),
    [
      `subjectAltName=DNS:*.${domain},DNS:${domain}`,
      'basicConstraints=CA:FALSE',
      'keyUsage=digitalSignature',
      'extendedKeyUsage=serverAuth',
      '',
    ].join('\n'),
  );
  openssl([
    'x509',
    '-req',
    '-in',
    f('leaf.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('leaf.pem'),
    '-days',
    '7',
    '-extfile',
    f('leaf.ext'),
  ]);
  return { caFile: f('ca.pem'), key: readFileSync(f('leaf.key'), 'utf8'), cert: readFileSync(f('leaf.pem'), 'utf8') };
}
