import { BoundedMap } from '../../shared/bounded-map.js';

const DAY_MS = 86_400_000;
/** 9999-12-31T23:59:59.999Z: beyond it (and before 1970), Date#toISOString's own format applies. */
const LAST_FOUR_DIGIT_YEAR_MS = 253_402_300_799_999;
const MAX_DAYS_REMEMBERED = 4_096;
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1_000 }, (_, i) => String(i).padStart(3, '0'));

const dayPrefixes = new BoundedMap<number, string>(MAX_DAYS_REMEMBERED);

/**
 * Date#toISOString, exactly, for 1970 to 9999: the date part is looked up per day and the time of
 * day is plain arithmetic. A page of products carries two timestamps each, and toISOString was
 * the largest single cost of rendering an uncached page.
 */
export function isoTimestamp(date: Date): string {
  const ms = date.getTime();
  if (!(ms >= 0 && ms <= LAST_FOUR_DIGIT_YEAR_MS)) return date.toISOString();
  const day = Math.floor(ms / DAY_MS);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  const time = ms - day * DAY_MS;
  const hours = Math.floor(time / 3_600_000);
  const minutes = Math.floor(time / 60_000) % 60;
  const seconds = Math.floor(time / 1_000) % 60;
  return `${prefix}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[time % 1_000]}Z`;
}
