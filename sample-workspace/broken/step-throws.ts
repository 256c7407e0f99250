// Fixture for tests: a step throws; the error is recorded on its span and ends the plan.
import { procedure, type Plan } from 'instrument-first';

const stepThrows: Plan = {
  name: 'step-throws',
  create(ctx) {
    if (ctx.pass > 1) return [];
    return [
      procedure('ok-step', () => {}),
      procedure('failing-step', () => {
        throw new Error('quota exceeded for instance type m5.large');
      }),
    ];
  },
};
export default stepThrows;
