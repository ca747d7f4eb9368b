/**
 * `WWW-Authenticate` parsing (RFC 7235): a header may hold several
 * challenges, each a scheme and comma-separated `key=value` or
 * `key="quoted, value"` parameters.
 */

export interface Challenge {
  /** Lower case: `bearer`, `basic`. */
  scheme: string;
  params: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

export function parseChallenges(headers: string | string[] | undefined): Challenge[] {
  if (headers === undefined) return [];
  const out: Challenge[] = [];
  for (const header of Array.isArray(headers) ? headers : [headers]) {
    let rest = header.trim();
    let current: Challenge | undefined;
    while (rest.length > 0) {
      rest = rest.replace(/^[\s,]+/, "");
      const word = TOKEN.exec(rest)?.[0];
      if (!word) break;
      const after = rest.slice(word.length).replace(/^\s*/, "");
      if (after.startsWith("=") && current) {
        // A parameter of the current challenge.
        let value: string;
        let tail = after.slice(1).replace(/^\s*/, "");
        if (tail.startsWith('"')) {
          let i = 1;
          value = "";
          while (i < tail.length && tail[i] !== '"') {
            if (tail[i] === "\\" && i + 1 < tail.length) i++;
            value += tail[i++];
          }
          tail = tail.slice(i + 1);
        } else {
          // Unquoted values are not always RFC tokens in the wild (`realm=https://…`).
          value = /^[^,\s]*/.exec(tail)![0];
          tail = tail.slice(value.length);
        }
        current.params[word.toLowerCase()] = value;
        rest = tail;
      } else {
        current = { scheme: word.toLowerCase(), params: {} };
        out.push(current);
        rest = after;
      }
    }
  }
  return out;
}
