import { describe, expect, it } from "vitest";
import { checkRedirectUri } from "./redirect-uri.js";

describe("checkRedirectUri", () => {
  it.each([
    "https://app.example.org/callback",
    "http://127.0.0.1/callback",
    "http://127.0.0.1:8085/callback",
    "http://[::1]:8085/callback",
    "com.example.app:/callback",
  ])("allows %s", (uri) => {
    expect(() => checkRedirectUri(uri)).not.toThrow();
  });

  it.each([
    "/callback",
    "http://app.example.org/callback",
    "http://localhost:8085/callback",
    "https://app.example.org/callback#frag",
    "https://user:pw@app.example.org/callback",
    "javascript:alert(1)",
    "myapp:/callback",
  ])("refuses %s with IDENTITY_REDIRECT_URI_INVALID", (uri) => {
    expect(() => checkRedirectUri(uri)).toThrow(
      expect.objectContaining({ code: "IDENTITY_REDIRECT_URI_INVALID" }),
    );
  });
});
