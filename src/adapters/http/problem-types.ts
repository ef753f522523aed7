/** How each domain error code is answered. Codes not listed here are answered as 500. */
export const DOMAIN_ERROR_STATUS: Readonly<Record<string, { status: number; title: string }>> = {
  PRODUCT_NOT_FOUND: { status: 404, title: 'Product not found' },
  INVALID_QUERY: { status: 400, title: 'Invalid request' },
  INVALID_CURSOR: { status: 400, title: 'Invalid cursor' },
  DEPENDENCY_UNAVAILABLE: { status: 503, title: 'Service temporarily unavailable' },
  OVERLOADED: { status: 503, title: 'Service overloaded' },
  DEADLINE_EXCEEDED: { status: 503, title: 'Deadline exceeded' },
  WORK_CANCELLED: { status: 503, title: 'Request cancelled' },
  PARTNER_PRODUCT_NOT_FOUND: { status: 404, title: 'Product not offered by the partner' },
  WEBHOOK_SIGNATURE_INVALID: { status: 401, title: 'Invalid webhook signature' },
  EVENT_IN_PROGRESS: { status: 409, title: 'Event being processed' },
};

export function problemType(title: string) {
  return `urn:farmlokal:problem:${title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}`;
}
