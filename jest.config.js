/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }] },
  moduleNameMapper: { '^fennflow-nestjs$': '<rootDir>/lib/index.ts' },
  setupFiles: ['reflect-metadata'],
  testTimeout: 30000,
};
