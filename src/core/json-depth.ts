/**
 * How deep parsed JSON nests, counted without recursion. Cloning or serialising a value nested
 * thousands deep overflows the stack, so the commands and the emulator refuse such data first,
 * with a reason, rather than fail with "Maximum call stack size exceeded".
 */

/** Far beyond any event payload, far below the stack's limit. */
export const MAX_JSON_DEPTH = 64;

/** Whether `value` nests objects or arrays more than `limit` levels deep. */
export function nestsDeeperThan(value: unknown, limit = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return false;
}
