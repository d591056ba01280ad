/**
 * `smoke --fixtures DIR`: each captured delivery again, bytes as recorded; a 2xx then must be a
 * 2xx now (a 4xx a 4xx). A regression run built from real traffic.
 */
import { sign } from '../core/signature.js';
import type { CheckDefinition, Expectation, SmokeCheck } from './smoke-checks.js';

export const fixtureChecks: CheckDefinition = ({ fixtures, secret, request }) =>
  fixtures.map((fixture): SmokeCheck => {
    const status = fixture.recorded?.status ?? 200;
    const expect = expectationOf(status);
    // A fixture captured with a bad signature is sent with a wrong one again: its recorded 4xx was about that.
    const signature = fixture.recorded?.signature_valid === false ? sign(fixture.body, `not-${secret}`) : 'valid';
    return {
      id: `fixture.${fixture.file}`,
      group: 'delivery',
      title: `the fixture ${fixture.file} (${fixture.event}) is answered ${expect}, as when it was recorded (${fixture.recorded?.status ?? 'no manifest status'})`,
      expect,
      requests: [request(`fixture ${fixture.file}, bytes as recorded`, fixture.event, fixture.body, signature)],
      hint: `this delivery was answered ${status} when it was captured: a change in the receiver made it answer differently`,
    };
  });

function expectationOf(status: number): Expectation {
  if (status >= 200 && status < 300) return '2xx';
  if (status >= 400 && status < 500) return '4xx';
  return 'not-5xx';
}
