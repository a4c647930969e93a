import { describe, expect, it } from "vitest";
import { Duration, ManualClock } from "../core/index.js";
import { ClientAuthenticator } from "./client-authenticator.js";
import { FakeCredentials } from "./testing.js";

function setup() {
  const credentials = new FakeCredentials().addClient({
    id: "billing",
    secret: "s3cret",
    scopes: ["a.read"],
  });
  const clock = new ManualClock();
  const clients = new ClientAuthenticator({ credentials, clock, ttl: Duration.seconds(10) });
  return { credentials, clock, clients };
}

describe("ClientAuthenticator", () => {
  it("remembers a successful authentication for the TTL", async () => {
    const { credentials, clock, clients } = setup();
    await clients.authenticate("billing", "s3cret");
    await clients.authenticate("billing", "s3cret");
    expect(credentials.clientChecks).toBe(1);
    clock.advance(10_000);
    await clients.authenticate("billing", "s3cret");
    expect(credentials.clientChecks).toBe(2);
  });

  it("never lets a cached success answer for another secret, and never caches failures", async () => {
    const { credentials, clients } = setup();
    await clients.authenticate("billing", "s3cret");
    await expect(clients.authenticate("billing", "wrong")).rejects.toMatchObject({
      code: "FAKE_INVALID_CLIENT",
    });
    await expect(clients.authenticate("billing", "wrong")).rejects.toMatchObject({
      code: "FAKE_INVALID_CLIENT",
    });
    await expect(clients.authenticate("billing", undefined)).rejects.toMatchObject({
      code: "FAKE_INVALID_CLIENT",
    });
    expect(credentials.clientChecks).toBe(4);
  });

  it("shares one check among concurrent requests", async () => {
    const { credentials, clients } = setup();
    await Promise.all(Array.from({ length: 10 }, () => clients.authenticate("billing", "s3cret")));
    expect(credentials.clientChecks).toBe(1);
  });

  it("forgets a client at once when invalidated", async () => {
    const { credentials, clients } = setup();
    await clients.authenticate("billing", "s3cret");
    credentials.addClient({ id: "billing", secret: "rotated" });
    clients.invalidate("billing");
    await expect(clients.authenticate("billing", "s3cret")).rejects.toMatchObject({
      code: "FAKE_INVALID_CLIENT",
    });
  });

  it("does not cache a result that was in flight when the client was invalidated", async () => {
    const { credentials, clients } = setup();
    const inFlight = clients.authenticate("billing", "s3cret");
    clients.invalidate();
    await inFlight;
    await clients.authenticate("billing", "s3cret");
    expect(credentials.clientChecks).toBe(2);
  });
});
