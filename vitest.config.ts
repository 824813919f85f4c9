import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    // integration tests run real tmux servers (one private socket per file)
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // most integration tests wait on tmux and the agents rather than compute: three files at once on two
    // cores take the suite from about 10 minutes to about 6½ (vitest's default is one fork per core but one)
    poolOptions: { forks: { maxForks: 3, minForks: 1 } },
    globalSetup: ['tests/helpers/global-setup.ts'],
  },
});
