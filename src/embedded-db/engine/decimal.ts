/**
 * Exact decimal arithmetic for Decimal128, on BigInt coefficients and base-10 exponents, the way
 * IEEE 754-2008 decimal (and so MongoDB) does it: a sum keeps the smaller exponent (1.10 + 1 is
 * 2.10), a product adds exponents, and a result longer than 34 digits is rounded half-even.
 * Comparisons between a Decimal128 and any other number are exact: a double is expanded to its
 * exact decimal value first (so the double 0.1 is not equal to Decimal128 0.1, as in MongoDB).
 */
import { BSON } from 'bson';

export interface Dec {
  kind: 'finite' | 'nan' | 'inf';
  negative: boolean;
  /** Non-negative coefficient (finite values only). */
  coef: bigint;
  exp: number;
}

const MAX_DIGITS = 34;

export function isDecimal128(v: unknown): v is BSON.Decimal128 {
  return typeof v === 'object' && v !== null && (v as { _bsontype?: string })._bsontype === 'Decimal128';
}

export function parseDecimalString(s: string): Dec {
  const t = s.trim();
  if (/^[+-]?nan$/i.test(t)) return { kind: 'nan', negative: false, coef: 0n, exp: 0 };
  const inf = /^([+-]?)inf(inity)?$/i.exec(t);
  if (inf) return { kind: 'inf', negative: inf[1] === '-', coef: 0n, exp: 0 };
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(t);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`not a decimal: ${s}`);
  const frac = m[3] ?? '';
  const coef = BigInt(`${m[2]}${frac}` || '0');
  return { kind: 'finite', negative: m[1] === '-', coef, exp: Number(m[4] ?? 0) - frac.length };
}

export function fromDecimal128(d: BSON.Decimal128): Dec {
  return parseDecimalString(d.toString());
}

/** The exact decimal value of a double (every finite double is a finite decimal). */
export function exactFromDouble(n: number): Dec {
  if (Number.isNaN(n)) return { kind: 'nan', negative: false, coef: 0n, exp: 0 };
  if (!Number.isFinite(n)) return { kind: 'inf', negative: n < 0, coef: 0n, exp: 0 };
  const negative = n < 0 || Object.is(n, -0);
  let a = Math.abs(n);
  if (Number.isInteger(a)) return { kind: 'finite', negative, coef: BigInt(a), exp: 0 };
  // a = m / 2^k exactly, then m / 2^k = m * 5^k / 10^k.
  let k = 0;
  while (!Number.isInteger(a)) {
    a *= 2;
    k++;
  }
  return { kind: 'finite', negative, coef: BigInt(a) * 5n ** BigInt(k), exp: -k };
}

/** A double as MongoDB converts it for decimal arithmetic: rounded to 15 significant digits. */
export function roundedFromDouble(n: number): Dec {
  if (!Number.isFinite(n)) return exactFromDouble(n);
  return parseDecimalString(n.toPrecision(15));
}

export function fromBigInt(n: bigint): Dec {
  return { kind: 'finite', negative: n < 0n, coef: n < 0n ? -n : n, exp: 0 };
}

function digits(n: bigint): number {
  return n === 0n ? 1 : n.toString().length;
}

/** Rounds to 34 significant digits, half to even. */
function round34(d: Dec): Dec {
  if (d.kind !== 'finite') return d;
  const extra = digits(d.coef) - MAX_DIGITS;
  if (extra <= 0) return d;
  const div = 10n ** BigInt(extra);
  let q = d.coef / div;
  const r = d.coef % div;
  const half = div / 2n;
  if (r > half || (r === half && q % 2n === 1n)) q += 1n;
  return round34({ ...d, coef: q, exp: d.exp + extra });
}

function aligned(a: Dec, b: Dec): [bigint, bigint, number] {
  const exp = Math.min(a.exp, b.exp);
  const x = a.coef * 10n ** BigInt(a.exp - exp) * (a.negative ? -1n : 1n);
  const y = b.coef * 10n ** BigInt(b.exp - exp) * (b.negative ? -1n : 1n);
  return [x, y, exp];
}

export function decAdd(a: Dec, b: Dec): Dec {
  if (a.kind === 'nan' || b.kind === 'nan') return { kind: 'nan', negative: false, coef: 0n, exp: 0 };
  if (a.kind === 'inf' || b.kind === 'inf') {
    if (a.kind === 'inf' && b.kind === 'inf' && a.negative !== b.negative) return { kind: 'nan', negative: false, coef: 0n, exp: 0 };
    return a.kind === 'inf' ? a : b;
  }
  const [x, y, exp] = aligned(a, b);
  const s = x + y;
  return round34({ kind: 'finite', negative: s < 0n, coef: s < 0n ? -s : s, exp });
}

export function decMul(a: Dec, b: Dec): Dec {
  if (a.kind === 'nan' || b.kind === 'nan') return { kind: 'nan', negative: false, coef: 0n, exp: 0 };
  const negative = a.negative !== b.negative;
  if (a.kind === 'inf' || b.kind === 'inf') {
    const other = a.kind === 'inf' ? b : a;
    if (other.kind === 'finite' && other.coef === 0n) return { kind: 'nan', negative: false, coef: 0n, exp: 0 };
    return { kind: 'inf', negative, coef: 0n, exp: 0 };
  }
  return round34({ kind: 'finite', negative, coef: a.coef * b.coef, exp: a.exp + b.exp });
}

/** Total order for comparisons: NaN below everything (as MongoDB sorts it), then by value. */
export function decCompare(a: Dec, b: Dec): number {
  if (a.kind === 'nan' || b.kind === 'nan') return a.kind === b.kind ? 0 : a.kind === 'nan' ? -1 : 1;
  const sa = a.kind === 'inf' ? (a.negative ? -2 : 2) : 0;
  const sb = b.kind === 'inf' ? (b.negative ? -2 : 2) : 0;
  if (sa !== 0 || sb !== 0) return Math.sign(sa - sb);
  const [x, y] = aligned(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function toDecimal128(d: Dec): BSON.Decimal128 {
  if (d.kind === 'nan') return BSON.Decimal128.fromString('NaN');
  if (d.kind === 'inf') return BSON.Decimal128.fromString(d.negative ? '-Infinity' : 'Infinity');
  return BSON.Decimal128.fromString(`${d.negative ? '-' : ''}${d.coef.toString()}E${d.exp}`);
}

/** A canonical text for equality keys: the same for every representation of one value. */
export function decKey(d: Dec): string {
  if (d.kind === 'nan') return 'NaN';
  if (d.kind === 'inf') return d.negative ? '-Inf' : 'Inf';
  if (d.coef === 0n) return '0';
  let coef = d.coef;
  let exp = d.exp;
  while (coef % 10n === 0n) {
    coef /= 10n;
    exp++;
  }
  return `${d.negative ? '-' : ''}${coef}e${exp}`;
}

/** The double nearest to a decimal (for mixed arithmetic that yields a double). */
export function decToNumber(d: Dec): number {
  if (d.kind === 'nan') return NaN;
  if (d.kind === 'inf') return d.negative ? -Infinity : Infinity;
  return Number(`${d.negative ? '-' : ''}${d.coef}e${d.exp}`);
}

const NAN: Dec = { kind: 'nan', negative: false, coef: 0n, exp: 0 };

export function decNegate(d: Dec): Dec {
  return d.kind === 'nan' ? d : { ...d, negative: !d.negative };
}

export function decIsZero(d: Dec): boolean {
  return d.kind === 'finite' && d.coef === 0n;
}

/**
 * a / b as IEEE 754-2008 decimal divides: an exact quotient keeps the ideal exponent (a's minus
 * b's: 10 / 4 is 2.5, 6.0 / 2 is 3.0), an inexact one has 34 significant digits, rounded half
 * to even. The caller refuses a zero divisor (MongoDB's $divide does).
 */
export function decDiv(a: Dec, b: Dec): Dec {
  if (a.kind === 'nan' || b.kind === 'nan') return NAN;
  const negative = a.negative !== b.negative;
  if (a.kind === 'inf') return b.kind === 'inf' ? NAN : { kind: 'inf', negative, coef: 0n, exp: 0 };
  if (b.kind === 'inf') return { kind: 'finite', negative, coef: 0n, exp: 0 };
  const ideal = a.exp - b.exp;
  if (a.coef === 0n) return { kind: 'finite', negative, coef: 0n, exp: ideal };
  // Enough extra digits for 34 significant ones plus a rounding digit.
  const shift = Math.max(0, MAX_DIGITS + 2 + digits(b.coef) - digits(a.coef));
  const num = a.coef * 10n ** BigInt(shift);
  let q = num / b.coef;
  const r = num % b.coef;
  let exp = ideal - shift;
  if (r === 0n) {
    while (exp < ideal && q % 10n === 0n) {
      q /= 10n;
      exp++;
    }
    return round34({ kind: 'finite', negative, coef: q, exp });
  }
  // A sticky digit: the true quotient lies strictly above q, so a tie never rounds down wrongly.
  q = q * 10n + 1n;
  exp -= 1;
  return round34({ kind: 'finite', negative, coef: q, exp });
}

/**
 * Rounds to `place` decimal places (negative: to tens, hundreds, ...) as MongoDB's $round
 * (half to even) and $trunc (toward zero) do on a Decimal128: the result has exactly that
 * exponent (quantize), so 1.2 rounded to 2 places is 1.20.
 */
export function decRound(d: Dec, place: number, mode: 'half-even' | 'trunc'): Dec {
  if (d.kind !== 'finite') return d;
  const target = -place;
  if (d.exp >= target) {
    const widened = d.coef * 10n ** BigInt(d.exp - target);
    return digits(widened) > MAX_DIGITS ? d : { ...d, coef: widened, exp: target };
  }
  const div = 10n ** BigInt(target - d.exp);
  let q = d.coef / div;
  const r = d.coef % div;
  if (mode === 'half-even') {
    const twice = r * 2n;
    if (twice > div || (twice === div && q % 2n === 1n)) q += 1n;
  }
  return { kind: 'finite', negative: d.negative, coef: q, exp: target };
}
