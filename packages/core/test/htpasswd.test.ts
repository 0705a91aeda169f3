import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { htpasswdLine, md5Crypt, verifyHash, verifyHtpasswd } from '../src/htpasswd.js';

describe('htpasswd (ingress-nginx basic auth formats)', () => {
  // Vectors from `openssl passwd -apr1 -salt …` and `openssl passwd -1 -salt …`.
  it.each([
    ['correct horse', 'abcdefgh', '$apr1$', '$apr1$abcdefgh$sIQmFnT1CuEXAsyjuXjUX/'],
    ['secret', 'xy', '$apr1$', '$apr1$xy$94JxxwMvxqQwA3Iid6OL9.'],
    ['p@ss', 'saltsalt', '$1$', '$1$saltsalt$Fh19vnKMtsly7quAMJ/jZ/'],
  ] as const)('md5Crypt(%j, %j, %s) matches openssl', (pw, salt, magic, expected) => {
    expect(md5Crypt(pw, salt, magic)).toBe(expected);
    expect(verifyHash(expected, pw)).toBe(true);
    expect(verifyHash(expected, `${pw}!`)).toBe(false);
  });

  it('{SHA}, {SSHA} and {PLAIN}; an unknown format accepts nothing', () => {
    expect(verifyHash('{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=', 'secret')).toBe(true);
    expect(verifyHash('{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=', 'Secret')).toBe(false);
    const salt = Buffer.from('NaCl');
    const ssha = `{SSHA}${Buffer.concat([createHash('sha1').update('pw').update(salt).digest(), salt]).toString('base64')}`;
    expect(verifyHash(ssha, 'pw')).toBe(true);
    expect(verifyHash('{PLAIN}pw', 'pw')).toBe(true);
    expect(verifyHash('$6$salt$whatever', 'pw')).toBe(false);
  });

  it('a generated line verifies with a random salt, and only for its user', () => {
    const line = htpasswdLine('preview', 'hunter2-long');
    expect(line).toMatch(/^preview:\$apr1\$[./0-9A-Za-z]{8}\$[./0-9A-Za-z]{22}$/);
    expect(htpasswdLine('preview', 'hunter2-long')).not.toBe(line);
    const file = `other:{PLAIN}x\n${line}\n`;
    expect(verifyHtpasswd(file, 'preview', 'hunter2-long')).toBe(true);
    expect(verifyHtpasswd(file, 'preview', 'wrong')).toBe(false);
    expect(verifyHtpasswd(file, 'nobody', 'hunter2-long')).toBe(false);
  });
});
