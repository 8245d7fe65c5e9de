/**
 * Three projects: the embedded database's conformance suite, the portal's unit and HTTP
 * integration tests, and the browser tests. All share one in-memory embedded database per run
 * (tests/helpers/global-setup.ts); each test file works in a database of its own.
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
const common = {
  preset: undefined,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Tests never depend on the machine's speed: a loaded machine may take far longer than jest's 5 s
  // default for a hook or a test that starts an app and a database.
  testTimeout: 60_000,
};
module.exports = {
  testTimeout: 60_000,
  // A test that leaves a handle open (a timer, a socket) must not keep CI waiting after the run:
  // results are already written when Jest would otherwise hang.
  forceExit: true,
  globalSetup: '<rootDir>/tests/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/tests/helpers/global-teardown.ts',
  projects: [
    { ...common, displayName: 'embedded-db', testMatch: ['<rootDir>/tests/embedded-db/**/*.test.ts'] },
    { ...common, displayName: 'portal', testMatch: ['<rootDir>/tests/unit/**/*.test.ts', '<rootDir>/tests/integration/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'] },
  ],
};
