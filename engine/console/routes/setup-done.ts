import type { FastifyInstance } from 'fastify';
import type { SetupStatus } from '../../api/console/types.js';
import { ConsoleError } from '../console-error.js';

/** The full console runs only once setup is done: the setup calls say so (engine/setup serves them before). */
export function setupDoneRoutes(app: FastifyInstance): void {
  app.get('/api/v1/setup', async (): Promise<SetupStatus> => ({ needed: false }));
  const done = async () => {
    throw new ConsoleError('SetupAlreadyDone');
  };
  app.post('/api/v1/setup', done);
  app.all('/api/v1/setup/*', done);
}
