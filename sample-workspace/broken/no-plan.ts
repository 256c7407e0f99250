// Fixture for tests: this module exports no plan.
export const notAPlan = { hello: 'world' };
export default 42;
