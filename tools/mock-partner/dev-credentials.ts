/** The development client the mock registers by default and `npm start` uses against it. */
export const DEV_CLIENT = {
  id: 'farmlokal-dev',
  secret: 'farmlokal-dev-client-secret',
  scopes: ['catalog:read', 'webhooks:write'],
} as const;
