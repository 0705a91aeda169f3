/**
 * Kubernetes resource quantities (k8s.io/apimachinery pkg/api/resource quantity.go), checked up
 * front so a quota or limit the API server would refuse fails before the namespace exists.
 */
import { InputError } from '../runtime/errors.js';

/**
 * quantity.go's grammar: `<signedNumber><suffix>`, number `<digits>`, `<digits>.<digits>`,
 * `<digits>.` or `.<digits>`; suffix binary SI (Ki…Ei), decimal SI (n u m "" k M G T P E) or a
 * decimal exponent `e<int>` / `E<int>` (the parser takes only digits after the sign there).
 */
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:([KMGTPE]i)|([numkMGTPE])|[eE]([+-]?\d+))?$/;

const BINARY: Record<string, bigint> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** Kubernetes keeps quantities as int64 in their base unit; larger ones are capped or overflow. */
const INT64_MAX = (1n << 63n) - 1n;

/**
 * Quota resources Kubernetes counts, which must be whole numbers (IsIntegerResourceName):
 * the standard object counts, `count/<resource>` and extended resources (`requests.vendor.com/gpu`).
 */
export function isCountResource(key: string): boolean {
  const COUNTS = [
    'pods',
    'services',
    'replicationcontrollers',
    'resourcequotas',
    'secrets',
    'configmaps',
    'persistentvolumeclaims',
    'services.nodeports',
    'services.loadbalancers',
  ];
  if (COUNTS.includes(key) || key.startsWith('count/')) return true;
  const bare = key.replace(/^(requests|limits)\./, '');
  return bare.includes('/') && !bare.startsWith('kubernetes.io/');
}

export interface QuantityCheck {
  /** Must be a whole number (pods, count/…, extended resources). */
  integer?: boolean;
}

/**
 * A non-negative quantity the API server accepts as it is: the grammar, at most 2^63-1 in its base
 * unit (`1e999` and `9Ei` are refused, not silently capped) and, for counts, a whole number.
 * Returns the value trimmed. `shown` is what the error echoes (e.g. `pods=1e999`).
 */
export function checkQuantity(input: string, shown: string, raw: string, o: QuantityCheck = {}): string {
  const v = raw.trim();
  const accepted = 'must give each key a Kubernetes quantity like 500m, 1, 512Mi or 1Gi';
  const m = QUANTITY.exec(v);
  if (!m) throw new InputError(input, shown, accepted);
  const [, sign, number, binary, decimal, exponent] = m as unknown as [
    string,
    string,
    string,
    string?,
    string?,
    string?,
  ];
  if (sign === '-' && /[1-9]/.test(number)) throw new InputError(input, shown, `${accepted}, not negative`);
  if (exponent !== undefined && exponent.replace(/^[+-]/, '').length > 4) {
    throw new InputError(input, shown, `${accepted}, at most ${INT64_MAX} in its base unit`);
  }
  const [whole = '', fraction = ''] = number.split('.');
  let num = BigInt(`${whole}${fraction}` || '0');
  let den = 10n ** BigInt(fraction.length);
  const pow10 = binary ? 0 : decimal ? DECIMAL[decimal]! : Number(exponent ?? 0);
  if (binary) num <<= BINARY[binary]!;
  if (pow10 >= 0) num *= 10n ** BigInt(pow10);
  else den *= 10n ** BigInt(-pow10);
  if (num > INT64_MAX * den) throw new InputError(input, shown, `${accepted}, at most ${INT64_MAX} in its base unit`);
  if (o.integer && num % den !== 0n)
    throw new InputError(input, shown, `${accepted}; this key counts objects, so a whole number like 10`);
  return v;
}
