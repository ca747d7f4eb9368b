/**
 * `ps`'s PORTS column (docker/cli formatter DisplayablePorts): published
 * ports as `0.0.0.0:18070->80/tcp, :::18070->80/tcp`, exposed ones that are
 * not published as `80/tcp`, consecutive ports folded into ranges.
 */

/** Docker's API port summary (types.Port). */
export interface PortSummary {
  /** The host address; absent for a port that is only exposed. */
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

interface Group {
  ip: string | undefined;
  type: string;
  pub: [number, number] | null;
  priv: [number, number];
}

const range = (r: [number, number]) => (r[0] === r[1] ? `${r[0]}` : `${r[0]}-${r[1]}`);

export function displayPorts(ports: PortSummary[]): string {
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  const sorted = [...ports].sort(
    (a, b) => cmp(a.Type, b.Type) || a.PrivatePort - b.PrivatePort || cmp(a.IP ?? "", b.IP ?? ""),
  );
  const groups: Group[] = [];
  const lastOf = new Map<string, Group>();
  for (const p of sorted) {
    const key = `${p.IP ?? ""}|${p.Type}|${p.PublicPort === undefined}`;
    const last = lastOf.get(key);
    if (
      last &&
      last.priv[1] + 1 === p.PrivatePort &&
      (last.pub === null ? p.PublicPort === undefined : last.pub[1] + 1 === p.PublicPort)
    ) {
      last.priv[1] = p.PrivatePort;
      if (last.pub && p.PublicPort !== undefined) last.pub[1] = p.PublicPort;
      continue;
    }
    const g: Group = {
      ip: p.IP,
      type: p.Type,
      pub: p.PublicPort === undefined ? null : [p.PublicPort, p.PublicPort],
      priv: [p.PrivatePort, p.PrivatePort],
    };
    groups.push(g);
    lastOf.set(key, g);
  }
  return groups
    .map((g) =>
      g.pub && g.ip !== undefined
        ? `${g.ip}:${range(g.pub)}->${range(g.priv)}/${g.type}`
        : `${range(g.priv)}/${g.type}`,
    )
    .join(", ");
}
