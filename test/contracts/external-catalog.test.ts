import { InMemoryExternalCatalog } from '../../src/adapters/in-memory/in-memory-external-catalog.js';
import { startMockPartner } from '../../tools/mock-partner/start-mock-partner.js';
import { httpCatalog, partnerProducts, PATIENT_CALLS } from '../support/partner-fixtures.js';
import { describeExternalCatalogContract } from './external-catalog.contract.js';

describeExternalCatalogContract('in-memory', async () => ({
  catalog: new InMemoryExternalCatalog(partnerProducts(45)),
  size: 45,
  cleanup: async () => undefined,
}));

describeExternalCatalogContract('HTTP against the mock partner', async () => {
  const mock = await startMockPartner({ catalog: { size: 45 } });
  return { catalog: httpCatalog(mock, { call: PATIENT_CALLS }).catalog, size: 45, cleanup: () => mock.stop() };
});
