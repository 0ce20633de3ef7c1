import { parseExpiry } from './admin-expiry.js';
import { show, type AdminCommand } from './admin-spec.js';
import { formatFields } from './admin-table.js';

interface IssuedTokenView {
  token: string;
  expiration: string;
  subject: string;
}

/** `granary admin prometheus-token`: a bearer token and the scrape job that uses it. */
export const PROMETHEUS_COMMANDS: AdminCommand[] = [
  {
    noun: 'prometheus-token', synopsis: '[--expiry DATE|30d]', arity: [0, 0],
    summary: 'a bearer token for Prometheus to scrape /granary/v1/metrics (default: valid a year), with a scrape config',
    flags: { expiry: 'value' },
    async run(ctx, _args, flags) {
      const expiry = flags.value('expiry');
      const issued = await ctx.client.call<IssuedTokenView>('POST', 'prometheus-token', { body: expiry === undefined ? {} : { expiry: parseExpiry(expiry) } });
      show(ctx, issued, (t) => {
        const endpoint = new URL(ctx.client.endpoint);
        // A scrape job to paste into prometheus.yml, as `mc admin prometheus generate` prints.
        const job = [
          'scrape_configs:',
          '  - job_name: granary',
          '    metrics_path: /granary/v1/metrics',
          `    scheme: ${endpoint.protocol.replace(':', '')}`,
          `    bearer_token: ${t.token}`,
          '    static_configs:',
          `      - targets: ['${endpoint.host}']`,
        ].join('\n');
        return `${formatFields([['Access key', t.subject], ['Expires', t.expiration]])}\n\n${job}`;
      });
    },
  },
];
