import { X509Certificate } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { TlsInstructions } from '../../api/console/types.js';
import type { ConsoleContext } from '../console-context.js';
import { ConsoleError } from '../console-error.js';

const FILE_NAME = 'granary-ca.crt';

/**
 * The local CA of `--tls auto`, for clients to trust, and how to install it.
 * No session: a CA certificate is public, and a device has to trust it
 * before it can reach the console without a warning to log in.
 */
export function tlsRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const caPem = (): string => {
    const pem = ctx.deps.tls?.localCaPem();
    if (!pem) throw new ConsoleError('NoSuchRoute', 'This server has no local CA to offer (it is not started with --tls auto).');
    return pem;
  };

  app.get('/api/v1/tls/ca', async (_request, reply) =>
    reply.type('application/x-pem-file').header('content-disposition', `attachment; filename="${FILE_NAME}"`).send(caPem()),
  );

  app.get('/api/v1/tls/instructions', async (): Promise<TlsInstructions> => ({
    fingerprint: new X509Certificate(caPem()).fingerprint256,
    fileName: FILE_NAME,
    steps: [
      { platform: 'Windows', commands: [`certutil -addstore -f Root ${FILE_NAME}`], note: 'In an administrator prompt; `certutil -user -addstore Root` trusts it for the current user only.' },
      { platform: 'macOS', commands: [`sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${FILE_NAME}`] },
      { platform: 'Debian / Ubuntu', commands: [`sudo cp ${FILE_NAME} /usr/local/share/ca-certificates/${FILE_NAME}`, 'sudo update-ca-certificates'] },
      { platform: 'Firefox', commands: [], note: `Firefox keeps its own list: Settings → Privacy & Security → Certificates → View Certificates → Authorities → Import ${FILE_NAME}, and tick "Trust this CA to identify websites".` },
      { platform: 'aws-cli, SDKs', commands: [`export AWS_CA_BUNDLE=$PWD/${FILE_NAME}`, `export NODE_EXTRA_CA_CERTS=$PWD/${FILE_NAME}`], note: 'Or pass --ca-bundle to aws.' },
    ],
  }));
}
