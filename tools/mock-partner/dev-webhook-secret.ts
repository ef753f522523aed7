/** The secret the mock signs deliveries with by default; `npm start` gives it to the service as WEBHOOK_SECRETS. */
export const DEV_WEBHOOK_SECRET = 'whsec_ZmFybWxva2FsLWRldi13ZWJob29rLXNlY3JldA==';
