/**
 * The live view subscribes to the listener only once ink and react have loaded and it has drawn
 * its first frame — a while after the port opened, the relay and the inspector started between.
 * A request answered in that moment is counted in the header but was never listed. This keeps
 * what the listener answers from the moment it is called (in the turn the port opened) until the
 * view subscribes, and hands it over first.
 */
import type { DeliveryRecord } from '../store/delivery-record.js';
import type { Listener } from './listener.js';

/** Kept at most: the live view shows no more than this many either. */
const MAX_KEPT = 1_000;

/** `listener` whose first `onRecord` subscriber gets, first, every record since this call. */
export function keepEarlyRecords<T extends Pick<Listener, 'onRecord'>>(listener: T): T {
  let early: DeliveryRecord[] | undefined = [];
  const stopKeeping = listener.onRecord((record) => {
    early?.push(record);
    if (early && early.length > MAX_KEPT) early.shift();
  });
  const onRecord: Listener['onRecord'] = (handler) => {
    const off = listener.onRecord(handler);
    // In the same turn as the subscription above: nothing arrives between the two.
    if (early) {
      const kept = early;
      early = undefined;
      stopKeeping();
      for (const record of kept) handler(record);
    }
    return off;
  };
  return new Proxy(listener, {
    get(target, key) {
      if (key === 'onRecord') return onRecord;
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
