import { expect } from 'chai';
import knexFactory, { type Knex } from 'knex';
import { KnexProductRepository } from '../../src/adapters/persistence/knex-product-repository.js';
import { DependencyUnavailableError } from '../../src/domain/errors/dependency-unavailable-error.js';
import { problemOf, startTestService } from '../support/test-service.js';

const NOTHING_LISTENS = 1;

describe('The catalogue with its database unreachable', () => {
  let knex: Knex;

  before(() => {
    knex = knexFactory({
      client: 'mysql2',
      connection: { host: '127.0.0.1', port: NOTHING_LISTENS, user: 'root', database: 'x', connectTimeout: 300 },
      acquireConnectionTimeout: 600,
      log: { error: () => undefined, warn: () => undefined },
    });
  });

  after(() => knex.destroy());

  it('KnexProductRepository.list, when the database is unreachable, rejects with DependencyUnavailableError', async () => {
    const repository = new KnexProductRepository(knex);
    await expect(repository.list({ limit: 5, sort: 'createdAt', order: 'desc', categories: [], words: [] })).to.be.rejectedWith(
      DependencyUnavailableError,
    );
  });

  it('GET /api/products, when the database is unreachable and nothing is cached, answers 503 with Retry-After', async () => {
    const service = await startTestService({ ProductRepository: new KnexProductRepository(knex) });
    try {
      const response = await fetch(`${service.url}/api/products?limit=3`);
      const problem = await problemOf(response, 503);
      expect(response.headers.get('retry-after')).to.match(/^\d+$/);
      expect(problem.title, 'a real connection failure is not reported as overload').to.equal('Service temporarily unavailable');
      expect(JSON.stringify(problem)).to.not.contain('ECONNREFUSED');
    } finally {
      await service.close();
    }
  });
});
