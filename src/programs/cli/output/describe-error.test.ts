import { describe, expect, it } from "vitest";
import { ApiError } from "../api/api-error.js";
import { CliError, ExitCode, usageError } from "../cli-error.js";
import { describeError } from "./describe-error.js";

describe("describeError", () => {
  it("shows a problem document's detail and code", () => {
    const error = new ApiError("GET", "/api/teams/x", 404, {
      type: "https://charter.dev/errors#identity_team_not_found",
      title: "Team not found",
      status: 404,
      detail: 'team "x" does not exist',
      code: "IDENTITY_TEAM_NOT_FOUND",
    });
    expect(describeError(error)).toEqual({
      message: 'team "x" does not exist (IDENTITY_TEAM_NOT_FOUND)',
      exitCode: ExitCode.error,
    });
  });

  it("asks to log in, with exit 4, when the server answers 401", () => {
    const error = new ApiError("GET", "/api/teams", 401, {
      detail: "the token has expired",
      code: "TOKENS_EXPIRED",
    });
    const report = describeError(error);
    expect(report.exitCode).toBe(ExitCode.auth);
    expect(report.message).toBe('the token has expired (TOKENS_EXPIRED); run "charter login"');
  });

  it("names the request when the answer is not a problem document", () => {
    expect(describeError(new ApiError("DELETE", "/api/teams/x", 502, undefined)).message).toBe(
      "DELETE /api/teams/x answered 502",
    );
  });

  it("keeps a CliError's exit code", () => {
    expect(describeError(usageError("bad"))).toEqual({ message: "bad", exitCode: ExitCode.usage });
    expect(describeError(new CliError("boom")).exitCode).toBe(ExitCode.error);
    expect(describeError(new Error("plain")).exitCode).toBe(ExitCode.error);
  });
});
