/** What `test --wait` reports from the deliveries it polls. */
import { describe, expect, it } from 'vitest';
import { outcomeOf } from '../../src/api/test-outcome.js';

describe('test outcomes', () => {
  it('matches id or delivery_id; a finished row wins over a queued one', () => {
    expect(
      outcomeOf(
        [
          { id: 'd1', status: 'queued' },
          { delivery_id: 'd1', status: 'failed' },
        ],
        'd1',
      ).state,
    ).toBe('failed');
    expect(
      outcomeOf(
        [
          { id: 'd2', status: 'succeeded' },
          { id: 'd1', status: 'pending' },
        ],
        'd1',
      ),
    ).toMatchObject({ state: 'unfinished', lastStatus: 'pending' });
    expect(outcomeOf([{ delivery_id: 'd1', status: 'retrying' }], 'd1').state).toBe('failed');
  });
});
