import { createTestRedis } from '../support/services.js';
import { inMemoryProvider, redisProvider } from '../support/token-fixtures.js';
import { describeTokenProviderContract, type TokenProviderSubjectOptions } from './token-provider.contract.js';
import { onlyWith } from '../support/backends.js';

const secretOption = ({ clientSecret }: TokenProviderSubjectOptions) => (clientSecret ? { endpoint: { clientSecret } } : {});

describeTokenProviderContract('in-process', async (mockUrl, options = {}) => {
  const provider = inMemoryProvider(mockUrl, secretOption(options));
  return { provider, peer: provider, cleanup: async () => undefined };
});

onlyWith(['redis'], describeTokenProviderContract)('Redis', async (mockUrl, options = {}) => {
  const redis = await createTestRedis('token-provider');
  const make = () => redisProvider(redis.client, redis.prefix, mockUrl, secretOption(options));
  return { provider: make(), peer: make(), cleanup: () => redis.cleanup() };
});
