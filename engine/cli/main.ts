import { UsageError } from './args.js';
import { runServer, SERVER_USAGE } from './server-command.js';
import { DeploymentError } from '../erasure/deployment.js';

const USAGE = `Granary: a private, erasure-coded, S3-compatible object store on your own drives.

${SERVER_USAGE}`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'server':
        await runServer(rest);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`granary: ${err.message}\n\n${USAGE}`);
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
