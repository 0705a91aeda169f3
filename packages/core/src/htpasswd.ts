/**
 * htpasswd lines as ingress-nginx's basic auth reads them (nginx `auth_basic_user_file`):
 * Apache's `$apr1$` MD5 variant, crypt(3)'s `$1$` MD5, `{SHA}`, `{SSHA}` and `{PLAIN}`. We write
 * `$apr1$` (what `htpasswd -m` writes, accepted by every nginx build); bcrypt (`$2y$`) depends on
 * the controller image's libc crypt and is not written.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function to64(v: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++, v >>= 6) s += ITOA64[v & 0x3f];
  return s;
}

/** The MD5-crypt algorithm (FreeBSD's `$1$`, Apache's `$apr1$`): 1000 rounds over password and salt. */
export function md5Crypt(password: string, salt: string, magic: '$1$' | '$apr1$' = '$apr1$'): string {
  const pw = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt.slice(0, 8), 'utf8');
  const md5 = () => createHash('md5');
  const ctx = md5().update(pw).update(magic).update(s);
  let final = md5().update(pw).update(s).update(pw).digest();
  for (let left = pw.length; left > 0; left -= 16) ctx.update(final.subarray(0, Math.min(16, left)));
  for (let i = pw.length; i > 0; i >>= 1) ctx.update(i & 1 ? Buffer.from([0]) : pw.subarray(0, 1));
  final = ctx.digest();
  for (let i = 0; i < 1000; i++) {
    const c = md5();
    c.update(i & 1 ? pw : final);
    if (i % 3) c.update(s);
    if (i % 7) c.update(pw);
    c.update(i & 1 ? final : pw);
    final = c.digest();
  }
  const f = final;
  const hash =
    to64((f[0]! << 16) | (f[6]! << 8) | f[12]!, 4) +
    to64((f[1]! << 16) | (f[7]! << 8) | f[13]!, 4) +
    to64((f[2]! << 16) | (f[8]! << 8) | f[14]!, 4) +
    to64((f[3]! << 16) | (f[9]! << 8) | f[15]!, 4) +
    to64((f[4]! << 16) | (f[10]! << 8) | f[5]!, 4) +
    to64(f[11]!, 2);
  return `${magic}${s.toString('utf8')}$${hash}`;
}

/** One `user:$apr1$…` line with a random salt. */
export function htpasswdLine(user: string, password: string): string {
  const salt = [...randomBytes(8)].map((b) => ITOA64[b & 0x3f]).join('');
  return `${user}:${md5Crypt(password, salt)}`;
}

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Whether one stored hash accepts the password; an unknown format accepts nothing. */
export function verifyHash(stored: string, password: string): boolean {
  const md5 = /^(\$1\$|\$apr1\$)([^$]{0,8})\$/.exec(stored);
  if (md5) return same(md5Crypt(password, md5[2]!, md5[1] as '$1$' | '$apr1$'), stored);
  if (stored.startsWith('{PLAIN}')) return same(stored.slice(7), password);
  if (stored.startsWith('{SHA}')) return same(stored.slice(5), createHash('sha1').update(password).digest('base64'));
  if (stored.startsWith('{SSHA}')) {
    const raw = Buffer.from(stored.slice(6), 'base64');
    if (raw.length <= 20) return false;
    const salt = raw.subarray(20);
    return same(
      createHash('sha1').update(password).update(salt).digest().toString('base64'),
      raw.subarray(0, 20).toString('base64'),
    );
  }
  return false;
}

/** Whether an htpasswd file (one `user:hash` a line) accepts this user and password. */
export function verifyHtpasswd(file: string, user: string, password: string): boolean {
  for (const line of file.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && line.slice(0, i) === user) return verifyHash(line.slice(i + 1).trim(), password);
  }
  return false;
}
