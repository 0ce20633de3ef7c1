import { AdminClient, type AdminConnection } from './admin-client.js';
import { AdminUsageError, commandName, parseAdminArgs } from './admin-argv.js';
import { AdminApiError, AdminLocalError } from './admin-errors.js';
import { GROUP_COMMANDS } from './admin-groups.js';
import { LDAP_COMMANDS } from './admin-ldap.js';
import { HEAL_COMMANDS } from './admin-heal.js';
import { HEALTH_COMMANDS } from './admin-health.js';
import { POLICY_COMMANDS } from './admin-policies.js';
import { PROMETHEUS_COMMANDS } from './admin-prometheus.js';
import { SERVER_INFO_COMMANDS } from './admin-server-info.js';
import type { AdminCommand, AdminContext, CommandFlags } from './admin-spec.js';
import { STS_COMMANDS } from './admin-sts.js';
import { SVCACCT_COMMANDS } from './admin-svcaccts.js';
import { USER_COMMANDS } from './admin-users.js';
import { UsageError } from './args.js';

export const ADMIN_COMMANDS: readonly AdminCommand[] = [...USER_COMMANDS, ...GROUP_COMMANDS, ...POLICY_COMMANDS, ...SVCACCT_COMMANDS, ...SERVER_INFO_COMMANDS, ...PROMETHEUS_COMMANDS, ...STS_COMMANDS, ...LDAP_COMMANDS, ...HEAL_COMMANDS, ...HEALTH_COMMANDS];

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:9000';

const CONNECTION_HELP = `Connection (a flag wins over its environment variable):
  --endpoint URL       or GRANARY_ENDPOINT (default ${DEFAULT_ENDPOINT})
  --access-key KEY     or GRANARY_ROOT_USER
  --secret-key SECRET  or GRANARY_ROOT_PASSWORD
  --region REGION      signing region (default us-east-1)
  --json               print the API's JSON instead of tables
Connection flags go before the command or after it; after "svcacct add",
--access-key/--secret-key name the new key instead, so give the caller's
there before "svcacct" or in the environment. A SECRET or FILE of "-" is
read from standard input, which, unlike arguments, other users cannot see.`;

/** The usage text: every command, or one group's (`granary admin user --help`). */
export function adminUsage(noun?: string): string {
  const shown = ADMIN_COMMANDS.filter((c) => noun === undefined || c.noun === noun);
  const list = shown.length ? shown : ADMIN_COMMANDS;
  // Synopsis on one line, what it does indented below: synopses vary too much in length for columns.
  const lines = list.map((c) => `  ${commandName(c)}${c.synopsis ? ` ${c.synopsis}` : ''}\n      ${c.summary}`);
  return `usage: granary admin [CONNECTION] COMMAND [ARGS]
Manages users, groups, policies and access keys of a running Granary server.

Commands:
${lines.join('\n')}

${CONNECTION_HELP}`;
}

export interface AdminIo {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
}

const processIo: AdminIo = {
  env: process.env,
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin as AsyncIterable<Buffer>) chunks.push(c);
    return Buffer.concat(chunks).toString('utf8');
  },
};

/** Flags first, then the environment, then the defaults; no credentials is a usage error, not a guess. */
export function resolveConnection(flags: CommandFlags, env: NodeJS.ProcessEnv): AdminConnection {
  const endpointText = flags.value('endpoint') ?? (env.GRANARY_ENDPOINT || DEFAULT_ENDPOINT);
  let endpoint: URL;
  try {
    endpoint = new URL(endpointText);
  } catch {
    throw new UsageError(`endpoint ${JSON.stringify(endpointText)} is not a URL (write it as http://HOST:PORT)`);
  }
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') throw new UsageError(`endpoint ${endpointText} must be http:// or https://`);
  const accessKey = flags.value('access-key') ?? env.GRANARY_ROOT_USER;
  const secretKey = flags.value('secret-key') ?? env.GRANARY_ROOT_PASSWORD;
  if (!accessKey || !secretKey) throw new UsageError('no credentials: pass --access-key and --secret-key, or set GRANARY_ROOT_USER and GRANARY_ROOT_PASSWORD');
  return { endpoint, accessKey, secretKey, region: flags.value('region') ?? 'us-east-1' };
}

/**
 * `granary admin …`: returns the exit status. 0 done; 1 the server refused
 * or could not be reached (`granary admin: Code: Message` on stderr); 2 the
 * arguments were wrong (the message, then the usage text).
 */
export async function runAdmin(argv: string[], io: AdminIo = processIo): Promise<number> {
  let noun: string | undefined;
  try {
    const parsed = parseAdminArgs(argv, ADMIN_COMMANDS);
    noun = parsed.command?.noun ?? parsed.noun;
    if (parsed.help) {
      io.stdout(`${adminUsage(noun)}\n`);
      return 0;
    }
    const command = parsed.command!;
    const ctx: AdminContext = {
      client: new AdminClient(resolveConnection(parsed.connection, io.env)),
      json: parsed.connection.bool('json'),
      print: (text) => io.stdout(`${text}\n`),
      readStdin: io.readStdin,
    };
    await command.run(ctx, parsed.positionals, parsed.flags);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`granary admin: ${err.message}\n\n${adminUsage(err instanceof AdminUsageError ? err.noun : noun)}\n`);
      return 2;
    }
    if (err instanceof AdminApiError) {
      io.stderr(`granary admin: ${err.code}: ${err.message}\n`);
      return 1;
    }
    if (err instanceof AdminLocalError) {
      io.stderr(`granary admin: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
