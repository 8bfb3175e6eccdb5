/** Hashes and HMACs of strings, as lowercase hex. */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { str } from './operands';
import { register } from './registry';

for (const alg of ['md5', 'sha1', 'sha256', 'sha512']) {
  register(`crypto.${alg}`, 1, ([s]) => createHash(alg).update(str(s, 1), 'utf8').digest('hex'));
  register(`crypto.hmac.${alg}`, 2, ([s, k]) => createHmac(alg, Buffer.from(str(k, 2), 'utf8')).update(str(s, 1), 'utf8').digest('hex'));
}
register('crypto.hmac.equal', 2, ([a, b]) => {
  const x = Buffer.from(str(a, 1), 'utf8');
  const y = Buffer.from(str(b, 2), 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
});
