/** Jest runs the CommonJS build of our TypeScript; the ESM-only packages are compiled to CommonJS on load. */
const esmPackages = [
  '@nestjs',
  '@apidevtools',
  'file-type',
  'strtok3',
  'token-types',
  'uint8array-extras',
  '@borewit',
  '@tokenizer',
];
const shared = {
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }],
    '^.+\\.m?js$': [
      'babel-jest',
      {
        babelrc: false,
        configFile: false,
        plugins: [
          require.resolve('./test/jest/esm-require.babel-plugin.js'),
          'babel-plugin-transform-import-meta',
          '@babel/plugin-transform-dynamic-import',
          '@babel/plugin-transform-modules-commonjs',
        ],
      },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  testEnvironment: 'node',
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.tools/'],
};
module.exports = {
  // End-to-end files boot the whole app in beforeAll: seconds on a quiet machine, tens of seconds on a loaded one.
  testTimeout: 60_000,
  // One file at a time, in a worker that is replaced once it holds more than this after a file: memory that
  // files leave behind does not add up over the whole run (in one process it outgrew the default heap). A larger
  // heap is no way out: a heap flag on the process would override the template threads' own heap limit.
  workerIdleMemoryLimit: '1GB',
  projects: [
    { ...shared, displayName: 'unit', rootDir: __dirname, testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      // Pure logic of the console (graph checks, formatting), compiled as CommonJS with the console's settings.
      ...shared,
      displayName: 'web',
      rootDir: __dirname,
      testMatch: ['<rootDir>/web/src/**/*.spec.ts'],
      transform: { ...shared.transform, '^.+\\.ts$': ['ts-jest', { tsconfig: 'web/tsconfig.spec.json' }] },
    },
    { ...shared, displayName: 'e2e', rootDir: __dirname, testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
