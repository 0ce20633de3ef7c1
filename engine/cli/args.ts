/** A small strict flag parser: unknown flags are errors, not silently ignored. */
export interface ParsedArgs {
  flags: Map<string, string>;
  positionals: string[];
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseArgs(argv: string[], valued: readonly string[], booleans: readonly string[] = []): ParsedArgs {
  const flags = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if (booleans.includes(name)) {
      flags.set(name, 'true');
    } else if (valued.includes(name)) {
      const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else {
      throw new UsageError(`unknown flag --${name}`);
    }
  }
  return { flags, positionals };
}

/** `:9000` → all interfaces; `127.0.0.1:9001`; `[::1]:9000`. */
export function parseAddress(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  if (!m) throw new UsageError(`address ${JSON.stringify(text)} is not HOST:PORT`);
  const port = Number(m[3]);
  if (port > 65535) throw new UsageError(`port ${port} is out of range`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}
