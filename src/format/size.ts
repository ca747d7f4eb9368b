/**
 * docker/go-units sizes: decimal units (kB, MB …) formatted with Go's
 * `%.*g`, which rounds half to even on the exact binary value and switches
 * to exponent form when the exponent reaches the precision (`1e+03kB`).
 */
const DECIMAL = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
const BINARY = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];

/** One cache per precision: listings print the same few sizes thousands of times (`image tree`). */
const memo = new Map<number, Map<number, string>>();

/**
 * Go's strconv.FormatFloat(x, 'g', p, 64). An integer with at most p digits
 * prints as itself; other values go through the exact expansion once each
 * (it costs ~10 µs: a 100-digit string and a BigInt).
 */
export function formatG(x: number, p: number): string {
  if (Number.isInteger(x) && x >= 0 && x < 10 ** p) return String(x);
  let cache = memo.get(p);
  if (!cache) {
    cache = new Map();
    memo.set(p, cache);
  }
  let out = cache.get(x);
  if (out === undefined) {
    if (cache.size >= 4096) cache.clear();
    out = formatGExact(x, p);
    cache.set(x, out);
  }
  return out;
}

/** Go's strconv.FormatFloat(x, 'g', p, 64) for finite x ≥ 0, from the exact decimal expansion. */
export function formatGExact(x: number, p: number): string {
  if (x === 0) return "0";
  if (!Number.isFinite(x)) return String(x);
  const neg = x < 0;
  // 100 significant digits are the exact expansion for every tie that can occur.
  const exact = Math.abs(x).toExponential(99);
  const [mant, expStr] = exact.split("e");
  let digits = mant.replace(".", "");
  let exp = Number(expStr);
  const keep = digits.slice(0, p);
  const rest = digits.slice(p);
  let roundUp = false;
  if (rest.length > 0) {
    if (rest[0] > "5") roundUp = true;
    else if (rest[0] === "5") {
      const tail = /[1-9]/.test(rest.slice(1));
      roundUp = tail || Number(keep[keep.length - 1]) % 2 === 1;
    }
  }
  let n = BigInt(keep);
  if (roundUp) n += 1n;
  digits = n.toString();
  if (digits.length > p) {
    exp += 1;
    digits = digits.slice(0, p);
  }
  digits = digits.replace(/0+$/, "") || "0";
  let out: string;
  if (exp < -4 || exp >= p) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    out = `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  } else if (exp < 0) {
    out = `0.${"0".repeat(-exp - 1)}${digits}`;
  } else if (digits.length > exp + 1) {
    out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  } else {
    out = digits + "0".repeat(exp + 1 - digits.length);
  }
  return neg ? `-${out}` : out;
}

function scale(size: number, base: number, units: string[]): [number, string] {
  let i = 0;
  while (size >= base && i < units.length - 1) {
    size /= base;
    i++;
  }
  return [size, units[i]];
}

/** go-units HumanSizeWithPrecision: `187MB` at p=3, `186.8MB` at p=4. */
export function humanSizeWithPrecision(bytes: number, precision: number): string {
  const [v, unit] = scale(bytes, 1000, DECIMAL);
  return `${formatG(v, precision)}${unit}`;
}

/** go-units HumanSize: four significant digits. */
export function humanSize(bytes: number): string {
  return humanSizeWithPrecision(bytes, 4);
}

/** go-units BytesSize: binary units (KiB, MiB …), four significant digits. */
export function bytesSize(bytes: number): string {
  const [v, unit] = scale(bytes, 1024, BINARY);
  return `${formatG(v, 4)}${unit}`;
}
