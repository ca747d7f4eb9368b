/**
 * Fetching a published port until the container's server answers (it needs
 * a moment to listen). On failure the error says why: the last error's cause,
 * the NAT rules that mention the port, and the routes of the address's subnet
 * (two bridges routing one subnet make a container unreachable from the host).
 */
import { execFileSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

export async function fetchText(url: string, timeoutMs = 15_000): Promise<string> {
  let last: unknown;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
      return await res.text();
    } catch (err) {
      last = err;
      await sleep(50);
    }
  }
  const cause = (last as { cause?: unknown })?.cause;
  const port = new URL(url).port;
  const nat = execFileSync("iptables-save", ["-t", "nat"], { encoding: "utf8" })
    .split("\n")
    .filter((l) => port !== "" && l.includes(`--dport ${port}`));
  const targets = nat.map((l) => /--to-destination (\d+\.\d+\.\d+)\./.exec(l)?.[1]).filter(Boolean);
  const routes = execFileSync("ip", ["-4", "route"], { encoding: "utf8" })
    .split("\n")
    .filter((l) => targets.some((t) => l.startsWith(`${t}.`)));
  throw new Error(
    `${url} never answered: ${String(last)} (${String(cause)}); NAT rules:\n${nat.join("\n")}\nroutes:\n${routes.join("\n")}`,
  );
}
