import { isIPv4, isIPv6 } from 'node:net';

/**
 * The identity a client's rate-limit budget is kept under: its IPv4 address, or the /64 network of
 * its IPv6 address (one subscriber usually holds a whole /64 and could rotate addresses within it).
 */
export function clientKey(ip: string): string {
  if (ip.startsWith('::ffff:') && isIPv4(ip.slice(7))) return ip.slice(7);
  const address = ip.split('%')[0];
  // Not an address (only when a trusted proxy passes one on): kept, but bounded, as Redis key material.
  if (!isIPv6(address)) return ip.slice(0, 100) || 'unknown';
  const [head = '', tail] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const rightGroups = right.reduce((n, group) => n + (group.includes('.') ? 2 : 1), 0);
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - rightGroups).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}
