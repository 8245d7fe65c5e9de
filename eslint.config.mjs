// Lint guards the module seams (see docs/DEVELOPING.md): no import cycles, no reaching into another
// module's files, no feature code under src/web or src/kernel. It is not a style check.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

const deepIntoModule = {
  regex: '^\\.\\./[^./][^/]*/.+',
  message: "Import another module through its front door (its index.ts), e.g. '../accounts', never its files.",
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'uploads/**', 'data/**'] },
  {
    files: ['src/**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { ecmaVersion: 2022, sourceType: 'module' } },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
    },
  },
  {
    // A module file reaches another module only through its index.ts.
    files: ['src/modules/*/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deepIntoModule] }] },
  },
  {
    // The app's start-up files mount modules through src/modules/index.ts and use front doors only.
    files: ['src/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^\\./modules/[^/]+/.+', message: "Use a module's front door ('./modules/<name>')." }] }],
    },
  },
  {
    // HTTP plumbing and the kernel know no feature.
    files: ['src/web/**/*.ts', 'src/kernel/**/*.ts', 'src/db/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)modules(/|$)', message: 'src/web, src/kernel and src/db import no feature module.' }] }],
    },
  },
  {
    files: ['src/kernel/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)(modules|web)(/|$)', message: 'The kernel sits below web/ and the modules.' }] }],
    },
  },
);
