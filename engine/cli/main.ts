import { UsageError } from './args.js';
import { DeploymentError } from '../erasure/deployment.js';

const ADMIN_USAGE = `usage: granary admin [--endpoint URL] [--access-key KEY] [--secret-key SECRET] [--json]
                     user|group|policy|svcacct|info|root ...   (granary admin --help)`;

// The server command pulls in the whole engine (drives, IAM, SQLite); it is
// imported only when needed, so that `granary admin` starts quickly.
async function usage(): Promise<string> {
  const { SERVER_USAGE } = await import('./server-command.js');
  return `Granary: a private, erasure-coded, S3-compatible object store on your own drives.

${SERVER_USAGE}

${ADMIN_USAGE}`;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'server': {
        const { runServer } = await import('./server-command.js');
        await runServer(rest);
        return 0;
      }
      case 'admin': {
        const { runAdmin } = await import('./admin-command.js');
        return await runAdmin(rest);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(await usage());
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`granary: ${err.message}\n\n${await usage()}`);
      return 2;
    }
    if (err instanceof DeploymentError) {
      console.error(`granary: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

const code = await main(process.argv.slice(2));
if (code !== 0) process.exit(code);
