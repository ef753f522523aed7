import { startMockPartner } from './start-mock-partner.js';

// `npm run mock-partner`: MOCK_PARTNER_PORT (default 4010), MOCK_PARTNER_HOST (default 127.0.0.1),
// MOCK_PARTNER_TOKEN_LIFETIME_SECONDS (default 3600).
const port = Number(process.env.MOCK_PARTNER_PORT ?? 4010);
const host = process.env.MOCK_PARTNER_HOST ?? '127.0.0.1';
const lifetime = process.env.MOCK_PARTNER_TOKEN_LIFETIME_SECONDS;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('MOCK_PARTNER_PORT must be a port number');
  process.exit(1);
}

const mock = await startMockPartner({ port, host, tokenLifetimeSeconds: lifetime ? Number(lifetime) : undefined });
console.log(`mock partner listening on ${mock.url} (token endpoint ${mock.url}/oauth/token; control: /__stats, /__faults, /__reset)`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void mock.stop().then(() => process.exit(0));
  });
}
