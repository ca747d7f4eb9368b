/**
 * A container's environment as Docker builds it: PATH, HOSTNAME and (with a
 * terminal) TERM first, then the container's Env replacing or adding to them
 * (moby container.CreateDaemonEnvironment, ReplaceOrAppendEnvValues).
 */
export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

function key(entry: string): string {
  const eq = entry.indexOf("=");
  return eq < 0 ? entry : entry.slice(0, eq);
}

/**
 * `overrides` replace same-named `defaults` in place and are appended
 * otherwise; an entry without "=" removes that variable from the defaults.
 */
export function replaceOrAppendEnv(defaults: string[], overrides: string[]): string[] {
  const out: (string | null)[] = [...defaults];
  const index = new Map<string, number>();
  for (const [i, e] of defaults.entries()) index.set(key(e), i);
  for (const value of overrides) {
    const i = index.get(key(value));
    if (!value.includes("=")) {
      if (i !== undefined) out[i] = null;
    } else if (i !== undefined) {
      out[i] = value;
    } else {
      out.push(value);
    }
  }
  return out.filter((e): e is string => e !== null);
}

/** `env` is the container's Env (image Env merged with `-e`, see resolveProcess). */
export function containerEnv(env: string[], hostname: string, tty: boolean): string[] {
  const defaults = [`PATH=${DEFAULT_PATH}`, `HOSTNAME=${hostname}`];
  if (tty) defaults.push("TERM=xterm");
  return replaceOrAppendEnv(defaults, env);
}

/** moby's merge of Config.Env with the image's: user entries first, then image entries the user did not set. */
export function mergeEnv(userEnv: string[], imageEnv: string[]): string[] {
  if (userEnv.length === 0) return [...imageEnv];
  const userKeys = new Set(userEnv.map(key));
  return [...userEnv, ...imageEnv.filter((e) => !userKeys.has(key(e)))];
}
