/** The secret the mock signs deliveries with by default; `npm start` gives it to the service as WEBHOOK_SECRETS. */
export { DEVELOPMENT_WEBHOOK_SECRET as DEV_WEBHOOK_SECRET } from '../../src/infrastructure/development-secrets.js';
