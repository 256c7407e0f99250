// Fixture for tests: this file does not compile.
import type { Plan } from 'instrument-first';

const broken: Plan = {
  name: 'broken',
  create() {
    return [
  },
};
export default broken;
