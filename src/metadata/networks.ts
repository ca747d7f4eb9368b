/**
 * The networks, endpoints and container_networking tables: a network's
 * definition (its subnet is strata's, chosen once), each container's
 * attachment to a network (an endpoint, whose address is allocated when the
 * container starts and freed when it stops), and what a container asked of
 * networking (published ports, DNS) with the host ports it holds while it runs.
 */
import type { Statements } from "./statements.ts";

export interface NetworkRecord {
  /** 64 hex characters, as Docker's network IDs. */
  id: string;
  name: string;
  driver: "bridge" | "host" | "null";
  /** CIDR (`10.210.3.0/24`); null for host and none. */
  subnet: string | null;
  gateway: string | null;
  internal: boolean;
  labels: Record<string, string>;
  /** RFC 3339 with nanoseconds. */
  createdAt: string;
}

export interface EndpointRecord {
  networkId: string;
  containerId: string;
  /** 64 hex characters (Docker's EndpointID). */
  endpointId: string;
  /** Connection order: the first network is the container's primary one (eth0, published ports). */
  position: number;
  /** `--network-alias` names (the container's name and short ID are implied). */
  aliases: string[];
  /** `--ip`, when the user chose the address. */
  requestedIp: string | null;
  /** The address held while the container runs; null when stopped. */
  ip: string | null;
  /** The container-side interface (`eth0`) while set up. */
  interface: string | null;
}

export interface ContainerNetworkingRecord {
  /** What the container asked for at create (ports, DNS, hosts); the network service's own JSON. */
  settings: Record<string, unknown>;
  /** The host ports bound while it runs (the network service's JSON); null when stopped. */
  ports: unknown[] | null;
}

interface NetworkRow {
  id: string;
  name: string;
  driver: NetworkRecord["driver"];
  subnet: string | null;
  gateway: string | null;
  internal: number;
  labels: string;
  created_at: string;
}

interface EndpointRow {
  network_id: string;
  container_id: string;
  endpoint_id: string;
  position: number;
  aliases: string;
  requested_ip: string | null;
  ip: string | null;
  interface: string | null;
}

const networkFromRow = (r: NetworkRow): NetworkRecord => ({
  id: r.id,
  name: r.name,
  driver: r.driver,
  subnet: r.subnet,
  gateway: r.gateway,
  internal: r.internal === 1,
  labels: JSON.parse(r.labels) as Record<string, string>,
  createdAt: r.created_at,
});

const endpointFromRow = (r: EndpointRow): EndpointRecord => ({
  networkId: r.network_id,
  containerId: r.container_id,
  endpointId: r.endpoint_id,
  position: r.position,
  aliases: JSON.parse(r.aliases) as string[],
  requestedIp: r.requested_ip,
  ip: r.ip,
  interface: r.interface,
});

export class NetworkRecords {
  constructor(private readonly q: Statements) {}

  private sql(text: string) {
    return this.q.sql(text);
  }

  // --- networks ---------------------------------------------------------------

  get(id: string): NetworkRecord | undefined {
    const row = this.sql("SELECT * FROM networks WHERE id = ?").get(id) as NetworkRow | undefined;
    return row && networkFromRow(row);
  }

  getByName(name: string): NetworkRecord | undefined {
    const row = this.sql("SELECT * FROM networks WHERE name = ?").get(name) as NetworkRow | undefined;
    return row && networkFromRow(row);
  }

  /** Networks whose ID starts with `prefix` (at most two: enough to tell ambiguity). */
  findByPrefix(prefix: string): NetworkRecord[] {
    const rows = this.sql("SELECT * FROM networks WHERE id >= ? AND id < ? LIMIT 2").all(
      prefix,
      `${prefix}\uffff`,
    ) as NetworkRow[];
    return rows.map(networkFromRow);
  }

  list(): NetworkRecord[] {
    return (this.sql("SELECT * FROM networks").all() as NetworkRow[]).map(networkFromRow);
  }

  insert(n: NetworkRecord): void {
    this.sql(
      `INSERT INTO networks (id, name, driver, subnet, gateway, internal, labels, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      n.id,
      n.name,
      n.driver,
      n.subnet,
      n.gateway,
      n.internal ? 1 : 0,
      JSON.stringify(n.labels),
      n.createdAt,
    );
  }

  delete(id: string): void {
    this.sql("DELETE FROM networks WHERE id = ?").run(id);
  }

  // --- endpoints ----------------------------------------------------------------

  endpointsOf(networkId: string): EndpointRecord[] {
    const rows = this.sql("SELECT * FROM endpoints WHERE network_id = ?").all(networkId) as EndpointRow[];
    return rows.map(endpointFromRow);
  }

  /** A container's endpoints, primary network first. */
  endpointsOfContainer(containerId: string): EndpointRecord[] {
    const rows = this.sql("SELECT * FROM endpoints WHERE container_id = ? ORDER BY position").all(
      containerId,
    ) as EndpointRow[];
    return rows.map(endpointFromRow);
  }

  listEndpoints(): EndpointRecord[] {
    return (this.sql("SELECT * FROM endpoints").all() as EndpointRow[]).map(endpointFromRow);
  }

  /** Every address held on the network. */
  addressesIn(networkId: string): string[] {
    return (
      this.sql("SELECT ip FROM endpoints WHERE network_id = ? AND ip IS NOT NULL")
        .raw(true)
        .all(networkId) as [string][]
    ).map((r) => r[0]);
  }

  insertEndpoint(e: EndpointRecord): void {
    this.sql(
      `INSERT INTO endpoints (network_id, container_id, endpoint_id, position, aliases, requested_ip, ip, interface)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      e.networkId,
      e.containerId,
      e.endpointId,
      e.position,
      JSON.stringify(e.aliases),
      e.requestedIp,
      e.ip,
      e.interface,
    );
  }

  /** Records (or, with nulls, frees) the endpoint's address; fails on the UNIQUE constraint if taken. */
  setEndpointAddress(networkId: string, containerId: string, ip: string | null, iface: string | null): void {
    this.sql("UPDATE endpoints SET ip = ?, interface = ? WHERE network_id = ? AND container_id = ?").run(
      ip,
      iface,
      networkId,
      containerId,
    );
  }

  deleteEndpoint(networkId: string, containerId: string): void {
    this.sql("DELETE FROM endpoints WHERE network_id = ? AND container_id = ?").run(networkId, containerId);
  }

  // --- what a container asked of networking -------------------------------------

  getNetworking(containerId: string): ContainerNetworkingRecord | undefined {
    const row = this.sql("SELECT settings, ports FROM container_networking WHERE container_id = ?").get(
      containerId,
    ) as { settings: string; ports: string | null } | undefined;
    if (!row) return undefined;
    return {
      settings: JSON.parse(row.settings) as Record<string, unknown>,
      ports: row.ports === null ? null : (JSON.parse(row.ports) as unknown[]),
    };
  }

  putNetworking(containerId: string, settings: Record<string, unknown>): void {
    this.sql("INSERT INTO container_networking (container_id, settings, ports) VALUES (?, ?, NULL)").run(
      containerId,
      JSON.stringify(settings),
    );
  }

  setPorts(containerId: string, ports: unknown[] | null): void {
    this.sql("UPDATE container_networking SET ports = ? WHERE container_id = ?").run(
      ports === null ? null : JSON.stringify(ports),
      containerId,
    );
  }

  /** Forgets everything networking knew of a removed container. */
  deleteContainer(containerId: string): void {
    this.sql("DELETE FROM endpoints WHERE container_id = ?").run(containerId);
    this.sql("DELETE FROM container_networking WHERE container_id = ?").run(containerId);
  }
}
