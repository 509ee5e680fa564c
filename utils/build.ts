/**
 * Build flavour (../shared/CONTRACTS.md "Build flavours"). `npm run build:e2e` sets
 * REFUNDLENS_E2E=1 and wxt.config.ts defines `import.meta.env.RL_E2E` as a literal, so in the
 * shipped build every `if (E2E_BUILD)` branch (result hooks on page-visible elements, synthetic
 * clicks accepted) is dead code the bundler drops. Undefined (false) in Node and Vitest.
 */
export const E2E_BUILD: boolean = (import.meta as unknown as { env?: { RL_E2E?: boolean } }).env?.RL_E2E === true;
