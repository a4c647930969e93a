import { defineConfig } from "vitest/config";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

// The JSON report lets .ci/run add up every run into one "N passed, N failed" line.
const report = process.env.CHARTER_TEST_REPORT;

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "scripts/**/*.test.ts"],
    provide: { databaseUrl: process.env.CHARTER_TEST_DATABASE_URL ?? "" },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: report ? ["default", "json"] : ["default"],
    ...(report ? { outputFile: { json: report } } : {}),
  },
});
