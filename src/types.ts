export const TYPES = {
  Config: Symbol.for('Config'),
  Logger: Symbol.for('Logger'),
  Clock: Symbol.for('Clock'),
  ProductRepository: Symbol.for('ProductRepository'),
  CatalogCache: Symbol.for('CatalogCache'),
  CatalogCacheSettings: Symbol.for('CatalogCacheSettings'),
  HealthIndicators: Symbol.for('HealthIndicators'),
  TokenProvider: Symbol.for('TokenProvider'),
  EventDeduplicator: Symbol.for('EventDeduplicator'),
  ExternalCatalog: Symbol.for('ExternalCatalog'),
  LastKnownAvailability: Symbol.for('LastKnownAvailability'),
  SyncCheckpoints: Symbol.for('SyncCheckpoints'),
} as const;
