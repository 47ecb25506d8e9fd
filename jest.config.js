/** Unit tests: TypeScript through ts-jest in ESM mode (the toolkit packages are ESM-only). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  setupFilesAfterEnv: ['aws-sdk-client-mock-jest'],
  collectCoverageFrom: ['src/**/*.ts'],
  clearMocks: true,
  restoreMocks: true,
};
