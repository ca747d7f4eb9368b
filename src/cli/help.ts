/** Help text in Docker's layout, generated from the command table. */
import type { CommandSpec, FlagSpec, GroupSpec } from "./args.ts";
import { GROUPS, TOP_LEVEL } from "./table.ts";

function columns(rows: Array<[string, string]>, indent = "  "): string {
  const width = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `${indent}${a.padEnd(width)}   ${b}\n`).join("");
}

const visible = (list: CommandSpec[]) => list.filter((c) => !c.hidden);

export function mainHelp(group?: GroupSpec): string {
  if (group) {
    return (
      `\nUsage:  strata ${group.name} COMMAND\n\n${group.summary}\n\nCommands:\n` +
      columns(visible(group.commands).map((c) => [c.name, c.summary])) +
      `\nRun 'strata ${group.name} COMMAND --help' for more information on a command.\n`
    );
  }
  return (
    "\nUsage:  strata [OPTIONS] COMMAND\n\nA daemonless, Docker-compatible container engine\n\n" +
    "Options:\n" +
    columns([
      ["    --root string", "Root of the store (default $STRATA_ROOT or /var/lib/strata)"],
      ["-h, --help", "Print usage"],
      ["-v, --version", "Print version information and quit"],
    ]) +
    "\nManagement Commands:\n" +
    columns(GROUPS.map((g) => [g.name, g.summary])) +
    "\nCommands:\n" +
    columns(visible(TOP_LEVEL).map((c) => [c.name, c.summary])) +
    "\nRun 'strata COMMAND --help' for more information on a command.\n"
  );
}

function flagColumn(f: FlagSpec): string {
  const short = f.short ? `-${f.short}, ` : "    ";
  return `${short}--${f.long}${f.value ? ` ${f.value}` : ""}`;
}

export function commandHelp(spec: CommandSpec, display: string): string {
  const args = spec.args.map((a) => a.replace(/^<(.*)>$/, "$1").replace(/\.\.\.$/, "...")).join(" ");
  const usage = `\nUsage:  ${display}${spec.flags.length > 0 ? " [OPTIONS]" : ""}${args ? ` ${args}` : ""}\n\n${spec.summary}\n`;
  const aliases = spec.aliases ? `\nAliases:\n  ${[spec.name, ...spec.aliases].join(", ")}\n` : "";
  if (spec.flags.length === 0) return usage + aliases;
  return `${usage}${aliases}\nOptions:\n${columns(spec.flags.map((f) => [flagColumn(f), f.help]))}`;
}
