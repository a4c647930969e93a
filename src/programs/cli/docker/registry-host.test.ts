import { describe, expect, it } from "vitest";
import { hostOfServerAddress, registryHostOf } from "./registry-host.js";

describe("registryHostOf", () => {
  it("is host and port as image references write them", () => {
    expect(registryHostOf("http://127.0.0.1:8080")).toBe("127.0.0.1:8080");
    expect(registryHostOf("https://charter.example.com")).toBe("charter.example.com");
    expect(registryHostOf("https://charter.example.com:8443/charter")).toBe("charter.example.com:8443");
  });
});

describe("hostOfServerAddress", () => {
  it("reads a bare host or a URL the same way", () => {
    expect(hostOfServerAddress("127.0.0.1:8080\n")).toBe("127.0.0.1:8080");
    expect(hostOfServerAddress("https://Charter.Example.com/v2/")).toBe("charter.example.com");
    expect(hostOfServerAddress("")).toBe("");
  });
});
