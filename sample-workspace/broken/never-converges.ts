// Fixture for tests: create() always returns a step, so the plan never converges.
import { procedure, type Plan } from 'instrument-first';

const neverConverges: Plan = {
  name: 'never-converges',
  create() {
    return [procedure('retry-forever', (ctx) => ctx.span.setAttribute('attempt', ctx.pass))];
  },
};
export default neverConverges;
