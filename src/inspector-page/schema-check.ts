/**
 * The page's schema check: the same judgement as `listen --validate` (src/schemas/delivery-verdict.ts:
 * the envelope the headers and body make, then the body against its event's schema), with the
 * validators compiled at build time, since the page's policy allows no `eval`, and ajv's errors
 * worded by the same module. The validators are the largest part of the page, so they load the
 * first time something is checked, not with the list.
 */
import { useEffect, useState } from 'preact/hooks';
import type { SchemaVerdict } from '../core/schema-issue.js';
import { toIssue } from '../schemas/ajv-issues.js';
import { judgeDelivery, type ReceivedHeaders } from '../schemas/delivery-verdict.js';

/** The verdict on a body (text or bytes) sent with `headers` (lower-case names). */
export type CheckDelivery = (headers: ReceivedHeaders, body: string | Uint8Array) => SchemaVerdict;

const encoder = new TextEncoder();
let loading: Promise<CheckDelivery> | undefined;

export function loadChecker(): Promise<CheckDelivery> {
  loading ??= import('inspector-generated:event-validators').then(({ validators }) => {
    const generated = {
      validate(type: string, value: unknown) {
        const check = validators[type];
        if (!check) return [{ path: 'event', rule: 'enum', message: `"${type}" is not a known event type` }];
        return check(value) ? [] : (check.errors ?? []).map(toIssue);
      },
    };
    return (headers, body) => judgeDelivery(generated, headers, typeof body === 'string' ? encoder.encode(body) : body);
  });
  return loading;
}

/** The checker once loaded (undefined meanwhile). */
export function useChecker(): CheckDelivery | undefined {
  const [checker, setChecker] = useState<{ check: CheckDelivery }>();
  useEffect(() => {
    void loadChecker().then((check) => setChecker({ check }));
  }, []);
  return checker?.check;
}
