// Fixture for tests: create() throws on the first pass.
import type { Plan } from 'instrument-first';

const throwing: Plan = {
  name: 'create-throws',
  create() {
    throw new Error('inventory service unreachable');
  },
};
export default throwing;
