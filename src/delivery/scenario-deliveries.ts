/**
 * A scenario's deliveries, ready to send: each step's sample payload with the step's `set`
 * applied, stamped one second apart so the timestamps tell the story in order too.
 */
import {
  applyOverrides,
  type Envelope,
  envelopeProblem,
  OverrideError,
  serialiseEnvelope,
  webhookTimestamp,
} from '../core/payload.js';
import type { SeededRandom } from '../core/seeded-random.js';
import { loadSampleEnvelope } from '../samples/sample-payloads.js';
import { expandScenario, generateIds } from '../scenarios/expand-scenario.js';
import { type Scenario, ScenarioError } from '../scenarios/scenario.js';
import type { PreparedDelivery } from './trigger-service.js';

/** `source` names the scenario in errors; ids are drawn from `random`. The last step is stamped `now`. */
export function prepareScenario(
  scenario: Scenario,
  source: string,
  random: SeededRandom,
  now = new Date(),
): PreparedDelivery[] {
  const deliveries = expandScenario(scenario, generateIds(scenario.variables, random));
  return deliveries.map((d, i) => {
    let envelope: Envelope = {
      ...loadSampleEnvelope(d.event),
      timestamp: webhookTimestamp(new Date(now.getTime() - (deliveries.length - 1 - i) * 1000)),
    };
    for (const override of d.overrides) {
      try {
        envelope = applyOverrides(envelope, [override]);
      } catch (err) {
        if (!(err instanceof OverrideError)) throw err;
        // The override's words are for --set; here the step and its field say where.
        const problem = err.message
          .replace(`--set ${override.text}: `, '')
          .replace('the payload', `the ${d.event} payload`);
        const hint = err.hint?.replace(/ [Tt]o send other fields, use --data FILE$/, '').replace(/;$/, '');
        throw new ScenarioError(source, `step ${d.step}, "set"."${override.path.join('.')}"`, problem, hint);
      }
    }
    const problem = envelopeProblem(envelope, d.event);
    if (problem) throw new ScenarioError(source, `step ${d.step}, "set"`, problem.message, problem.hint);
    return { event: d.event, body: serialiseEnvelope(envelope), envelope, step: d.step };
  });
}
